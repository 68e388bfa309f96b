"""Enterprise Tester: assignment runs, OData queries, POST runs, the run object."""
