"""Report formats: JSON (the versioned contract), CSV (for spreadsheets), HTML, terminal."""
