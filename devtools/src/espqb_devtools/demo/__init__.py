"""`espqb-dev demo` (`make demo`): on a fresh machine, the whole story for both QuickBooks products.

Starts the Intuit sandbox and both gateways on loopback ports over a fresh database, drives them as
the ESP front end would (install, settings, connect or Web Connector set-up, the "QB" button), prints
the resulting QuickBooks documents and each job's timeline, and checks every figure against the order
it came from. Modules: ``services`` starts things, ``frontend`` is the ESP front end's HTTP calls,
``story_qbo`` / ``story_qbd`` tell the two stories, ``books*`` read QuickBooks back, ``checks``
compares figures, ``tables`` / ``report`` print, ``command`` runs it all (`espqb-dev demo` imports it
only when the demo runs, so the sandbox commands start without loading the gateways).
"""
