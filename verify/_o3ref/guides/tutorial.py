"""
.. include:: ./tutorial.md
"""
