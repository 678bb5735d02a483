"""Screens and modal dialogs of the workbench, one module each."""
