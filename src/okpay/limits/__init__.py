"""Transaction limits per transaction / day / month and blocked destination countries."""
