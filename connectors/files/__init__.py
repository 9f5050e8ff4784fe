"""CSV and XLSX exports of either side, mapped to canonical rows by a TOML mapping file."""
