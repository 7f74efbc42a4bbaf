"""
.. include:: ./library.md
"""
