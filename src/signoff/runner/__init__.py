"""Worker processes: the parent side (``process``), the worker itself (``worker_main``), what is
measured inside it (``measure``), counting instructions under Callgrind (``instructions``), and the
one import of a trusted target into signoff (``trusted``)."""
