"""
.. include:: ./tables.md
"""
