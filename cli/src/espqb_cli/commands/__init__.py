"""One module per group of commands.

A command module imports only typer (and rich) at its top: each command imports the settings, the
database, the gateways it runs inside its own function, so `espqb --help` and every other command
start without loading what they do not use."""
