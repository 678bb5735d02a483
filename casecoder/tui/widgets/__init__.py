"""Widgets of the coding screen: the virtual transcript and the side panels."""
