"""
.. include:: ./survey.md
"""
