"""The weekly e-mail: settings, building the messages, sending them."""
