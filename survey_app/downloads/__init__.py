"""Downloads of the consolidated workbooks: the unit's, a lead agency's, the province's."""
