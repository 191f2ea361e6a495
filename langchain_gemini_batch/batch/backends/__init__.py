"""Where batch jobs run: one small interface, one module per platform."""
