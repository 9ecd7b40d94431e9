"""The REST side: start tickets and the records their checks need."""
