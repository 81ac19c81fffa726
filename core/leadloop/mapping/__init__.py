"""The declarative mapping engine: a tenant's source fields to core fields and back.

A mapping document (YAML, one per object type) lists fields::

    object: lead                 # a key of leadloop.model.OBJECT_MODELS
    source: Lead                 # the source's object name, for the reader
    fields:
      - core: email              # dotted core field, or custom.<name>
        source: [Email, E-mail]  # aliases: the first present is read, the first is written back
        transforms: [trim, lower]
        required: true
      - core: sales_status
        source: Status
        value_map: {"Working - Contacted": "Contacted"}   # after the transforms; reversed going out
        direction: both          # in | out | both
      - core: lead_source
        constant: Trade show
      - core: custom.partner_notes
        source: Partner_Notes__c
        internal: true           # never shown to partners
        label: Notes for partner
        default: ""

Transforms: trim, lower, upper, {split: sep}, {join: sep}, {value_map: {...}}, date and datetime
(ISO 8601, or {date: format-or-formats}), {default: x}, {constant: x}, country, int, decimal, email.
After them every value gets its core field's type (from :mod:`leadloop.model`): blank is no value,
numbers, dates, email syntax, ISO 3166 countries and the canonical statuses are checked.

A mapping is checked and compiled once (:func:`compile_mapping`, :func:`load_mapping`) into
generated Python functions: ``CompiledMapping.apply_in`` for source records (and
:meth:`CompiledMapping.as_tuples`, the same giving tuples, for a pull's pages),
:meth:`CompiledMapping.for_columns` for files (the import's fast path: aliases resolved once per
header row), :meth:`CompiledMapping.apply_out` for write-back.
"""

from .compiled import (
    CompiledMapping,
    MappedField,
    RowMapper,
    TupleRecordMapper,
    TupleRowMapper,
    compile_mapping,
    load_mapping,
)

__all__ = [
    "CompiledMapping",
    "MappedField",
    "RowMapper",
    "TupleRecordMapper",
    "TupleRowMapper",
    "compile_mapping",
    "load_mapping",
]
