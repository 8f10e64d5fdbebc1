"""Results as people and tools read them: terminal, JSON, JUnit, HTML; none knows a criterion
by name (each asks ``signoff.report.views.view_of``)."""
