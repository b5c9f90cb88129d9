// Keyboard access to furo's drawers on narrow screens.
//
// furo opens the navigation and the page contents with <label for="__navigation">
// and <label for="__toc"> (a hidden checkbox each), which a keyboard cannot reach.
// Here each label becomes a button: Enter or Space opens its drawer and moves
// focus into it; Escape closes an open drawer and returns focus to its button.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const drawers = [
    { id: "__navigation", name: "Site navigation", drawer: ".sidebar-drawer" },
    { id: "__toc", name: "Contents of this page", drawer: ".toc-drawer" },
  ];
  for (const { id, name, drawer } of drawers) {
    const box = document.getElementById(id);
    const panel = document.querySelector(drawer);
    const buttons = document.querySelectorAll(`label.nav-overlay-icon[for="${id}"], label.toc-overlay-icon[for="${id}"]`);
    if (!box || !panel || !buttons.length) continue;
    const sync = () => buttons.forEach((b) => b.setAttribute("aria-expanded", String(box.checked)));
    const toggle = (button, open) => {
      box.checked = open;
      sync();
      if (open) panel.querySelector("a[href], input, button")?.focus();
      else button.focus();
    };
    for (const button of buttons) {
      button.tabIndex = 0;
      button.setAttribute("role", "button");
      button.setAttribute("aria-label", name);
      button.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" && event.key !== " ") return;
        event.preventDefault();
        toggle(button, !box.checked);
      });
    }
    box.addEventListener("change", sync);
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !box.checked) return;
      const visible = [...buttons].find((b) => b.offsetParent !== null) ?? buttons[0];
      toggle(visible, false);
    });
    sync();
  }
});
