"""Header names of a file of entries: the user's own, mapped to the columns ``origin levy`` reads.

A broker's export rarely says ``document`` and ``value``: it says ``Entry type`` and
``Customs value (NZD)``. Three things map a header to a column, in this order:

1. the user's mapping: a TOML file (``--columns FILE``, a ``[columns]`` table of
   ``"Their header" = "column"``) and ``--column 'Their header=column'`` options;
2. the column's own name (case-insensitive; spaces and hyphens read as underscores);
3. the common synonyms below (:data:`SYNONYMS`).

Headers are compared in a loose form (:func:`loose`: lower case, every run of characters that
are not letters or digits one underscore), so ``Customs value (NZD)`` and
``customs-value nzd`` are the same header. A header none of these maps is refused by the
reader with "did you mean …?" for a close misspelling (``difflib``).
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from origin.errors import InputError

# Common names for the entry columns in brokers' and exporters' own files. Only names whose
# meaning is not in doubt: "value" is the combined Customs value, so "Customs value" maps to it,
# but "FOB", "CIF" or "invoice value" do not (they are not the Customs value as such).
SYNONYMS: Mapping[str, str] = {
    "reference": "id",
    "ref": "id",
    "your_reference": "id",
    "client_reference": "id",
    "line_reference": "id",
    "document_type": "document",
    "doc_type": "document",
    "entry_type": "document",
    "type_of_document": "document",
    "document_date": "date",
    "entry_date": "date",
    "lodgement_date": "date",
    "date_lodged": "date",
    "transport_mode": "mode",
    "mode_of_transport": "mode",
    "transport": "mode",
    "customs_value": "value",
    "customs_value_nzd": "value",
    "value_nzd": "value",
    "nzd_value": "value",
    "combined_customs_value": "value",
    "secure_exports_scheme": "ses",
    "ses_member": "ses",
    "ses_status": "ses",
    "upu": "upu_mail",
    "exclusions": "excluded",
    "excluded_goods": "excluded",
    "exemptions": "excluded",
    "weight": "weight_kg",
    "weight_in_kg": "weight_kg",
    "mail_weight_kg": "weight_kg",
    "kg": "weight_kg",
    "entry_number": "document_id",
    "entry_no": "document_id",
    "document_number": "document_id",
    "document_no": "document_id",
    "date_paid": "paid_date",
    "payment_date": "paid_date",
    "duty_due": "duty_due_date",
    "gst_treatment": "gst",
}


# How to map a header the reader refused (the options of ``origin levy``).
HINT = (
    "map your own header to a column with --column 'YOUR HEADER=COLUMN', or a --columns "
    'FILE.toml holding [columns] then "YOUR HEADER" = "COLUMN"'
)


def loose(name: str) -> str:
    """``'Customs value (NZD)'`` → ``'customs_value_nzd'``."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def suggestion(name: str, known: Iterable[str], synonyms: Mapping[str, str]) -> str:
    """The column a misspelt header most likely meant (``stauts`` → ``status``), or ""."""
    candidates = {c: c for c in known} | {s: c for s, c in synonyms.items() if c in set(known)}
    match = difflib.get_close_matches(loose(name), list(candidates), n=1, cutoff=0.75)
    return candidates[match[0]] if match else ""


def did_you_mean(name: str, known: Sequence[str], synonyms: Mapping[str, str]) -> str:
    close = suggestion(name, known, synonyms)
    return f"did you mean {close!r}?" if close else "no column of a close name"


def _target(column: object, where: str, known: Sequence[str]) -> str:
    if not isinstance(column, str) or not column.strip():
        raise InputError(f"{where}: expected a column name, e.g. 'document'")
    name = loose(column)
    if name not in known:
        close = suggestion(column, known, {})
        raise InputError(
            f"{where}: {column!r} is not a column"
            + (f"; did you mean {close!r}?" if close else "")
            + f" (columns: {', '.join(known)})"
        )
    return name


def load_mapping(path: Path, known: Sequence[str]) -> dict[str, str]:
    """A ``[columns]`` table of ``"Their header" = "column"`` from a TOML file, checked: each
    column must be one of ``known``, and no header may be given twice."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: not valid TOML: {error}") from None
    table = data.get("columns")
    if not isinstance(table, dict) or not table:
        raise InputError(
            f'{path}: expected a [columns] table of "Their header" = "column", '
            f'e.g. [columns] then "Entry type" = "document"'
        )
    unknown = sorted(set(data) - {"columns"})
    if unknown:
        raise InputError(f"{path}: unknown table or key(s) {', '.join(map(repr, unknown))}")
    mapping: dict[str, str] = {}
    for header, column in table.items():
        _add(mapping, header, _target(column, f"{path}, [columns] {header!r}", known), str(path))
    return mapping


def parse_option(text: str, known: Sequence[str]) -> tuple[str, str]:
    """``--column 'Entry type=document'`` → (``'Entry type'``, ``'document'``)."""
    header, sep, column = text.rpartition("=")
    if not sep or not header.strip():
        raise InputError(f"option --column {text!r}: expected 'THEIR HEADER=COLUMN'")
    return header, _target(column, f"option --column {text!r}", known)


def _add(mapping: dict[str, str], header: str, column: str, where: str) -> None:
    key = loose(header)
    if not key:
        raise InputError(f"{where}: an empty header cannot be mapped")
    if mapping.get(key, column) != column:
        raise InputError(
            f"{where}: header {header!r} is mapped twice ({mapping[key]!r} and {column!r})"
        )
    mapping[key] = column


def mapping(
    known: Sequence[str], path: Path | None = None, options: Iterable[str] = ()
) -> dict[str, str]:
    """The user's mapping (loose header → column): the file's, then the options', which win
    over the file's for the same header."""
    result = load_mapping(path, known) if path is not None else {}
    for text in options:
        header, column = parse_option(text, known)
        if not loose(header):
            raise InputError(f"option --column {text!r}: an empty header cannot be mapped")
        result[loose(header)] = column
    return result
