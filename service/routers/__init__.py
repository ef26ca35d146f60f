"""HTTP routes, one module per resource; each only translates between schemas and one library call."""
