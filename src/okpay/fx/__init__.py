"""Exchange rates: reference rates with source and time, cross rates through EUR, spreads."""
