"""NetSuite: mapping of SuiteQL rows to canonical rows, and the REST connector."""
