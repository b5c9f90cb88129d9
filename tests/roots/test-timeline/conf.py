extensions = ["myst_parser", "sphinxcontrib.rsvgconverter", "article_timeline"]
article_timeline_events = "events.yaml"
smartquotes = False
copyright = "The test project"
version = "1"  # the EPUB builder wants one
