"""nlp room."""
