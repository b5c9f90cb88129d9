// Keyboard access to furo's drawers on narrow screens. Delete this file (and its rules in
// reader.css) once furo's own drawers are keyboard operable:
// https://github.com/pradyunsg/furo/pull/660 (open).
//
// furo opens the navigation and the page contents with <label for="__navigation"> and
// <label for="__toc"> over hidden checkboxes, which a keyboard cannot reach (and a label may
// not take role="button"). Here each label becomes a real <button> with the same classes and
// icon, so furo's CSS still applies: it toggles the checkbox, says whether its drawer is open
// (aria-expanded), and moves focus into the drawer; Escape closes an open drawer and returns
// focus.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const drawers = [
    { id: "__navigation", name: "Site navigation", panel: ".sidebar-drawer" },
    { id: "__toc", name: "Contents of this page", panel: ".toc-drawer" },
  ];
  for (const { id, name, panel } of drawers) {
    const box = document.getElementById(id);
    const drawer = document.querySelector(panel);
    // The icons that open it; not furo's overlay beside an open drawer, which closes it.
    const labels = document.querySelectorAll(`label[for="${id}"]:not(.overlay)`);
    if (!box || !drawer || !labels.length) continue;
    const buttons = [...labels].map((label) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = label.className;
      button.setAttribute("aria-label", name);
      button.append(...label.childNodes);
      label.replaceWith(button);
      return button;
    });
    const sync = () => buttons.forEach((b) => b.setAttribute("aria-expanded", box.checked));
    const toggle = (button, open) => {
      box.checked = open;
      sync();
      if (open) drawer.querySelector("a[href], input, button")?.focus();
      else button.focus();
    };
    // A button's click comes from a pointer, Enter or Space alike.
    buttons.forEach((b) => b.addEventListener("click", () => toggle(b, !box.checked)));
    box.addEventListener("change", sync); // furo's overlay (a label) closes it too
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !box.checked) return;
      toggle(buttons.find((b) => b.offsetParent !== null) ?? buttons[0], false);
    });
    sync();
  }
});
