"""Loaders for published reference data (ONS lookups, ODS, IMD, populations) and the register.

Files are recognised by their columns, not their names (:mod:`icsys.reference.formats`), parsed
into what each file says (:mod:`icsys.reference.parsed`), written in one transaction with the
effective-dated views derived again (:mod:`icsys.reference.load`), and queried as at any date
(:mod:`icsys.reference.register`).
"""
