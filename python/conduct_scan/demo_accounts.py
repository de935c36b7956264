"""Seeded accounts tables: real-looking Vietnamese and foreign names, nicknames, shops, state
agencies (mostly verified) and impersonators planted among them.

:func:`generate_accounts` builds the table for given account ids and types (the demo passes
the accounts of its archive) or for ``n`` fresh accounts; ``with_labels=True`` adds the ground
truth: ``label_4_2`` (the display name of a user account is not a personal name, or an
organisation page gives no website or contact), ``label_4_3`` (the account names a state body
or office without being a verified agency or official: impersonators, and unverified agency
and official accounts, which the provider cannot tell from impersonators) and ``label_6_2``
(an agency account that is unverified or lacks contact and website),
and ``kind`` (how the name was made). The vocabulary is in ``data/demo_accounts.json``; it is
independent of the account rules' examples, so a table generated with another seed than the
demo's is a held-out set for measuring the checks (``benchmarks/accounts_eval.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import pyarrow as pa

_D: Final[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "demo_accounts.json").read_text(encoding="utf-8")
)
_FAMILY: Final = [f for f, _ in _D["family_vi"]]
_FAMILY_W: Final = [float(w) for _, w in _D["family_vi"]]
# Cyrillic look-alikes of Latin letters (escapes: they are invisible here).
_HOMOGLYPH: Final = {
    "a": "\u0430", "o": "\u043e", "e": "\u0435", "c": "\u0441", "B": "\u0412",
    "C": "\u0421", "A": "\u0410", "T": "\u0422", "H": "\u041d", "y": "\u0443",
}  # fmt: skip
_LEET: Final = {"o": "0", "ô": "0", "i": "1", "e": "3", "a": "4"}


def _fold(text: str) -> str:
    d = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in d if not unicodedata.combining(c))


def _slug(text: str, r: random.Random) -> str:
    words = [w for w in "".join(c if c.isalnum() else " " for c in _fold(text).lower()).split()]
    sep = r.choice((".", "_", ""))
    tail = r.choice(("", "", str(r.randint(1, 99)), r.choice(("95", "2k", "vn", "official"))))
    return sep.join(words)[:28] + tail


def _vi_name(r: random.Random) -> str:
    family = r.choices(_FAMILY, _FAMILY_W)[0]
    female = r.random() < 0.5
    middle = r.choice(_D["middle_female" if female else "middle_male"])
    given = r.choice(_D["given_female" if female else "given_male"])
    parts = [family, middle, given]
    if r.random() < 0.25:
        parts.insert(2, r.choice(_D["middle_female" if female else "middle_male"]))
    if r.random() < 0.15:
        parts = [family, given]
    return " ".join(dict.fromkeys(parts)) if len(set(parts)) < len(parts) else " ".join(parts)


def _vary(name: str, r: random.Random) -> str:
    """How people type their names: without diacritics, upper case, decomposed."""
    x = r.random()
    if x < 0.10:
        return _fold(name)
    if x < 0.15:
        return _fold(name).upper()
    if x < 0.20:
        return unicodedata.normalize("NFD", name)
    if x < 0.23:
        return name.upper()
    return name


def _nickname(r: random.Random) -> tuple[str, str]:
    x = r.random()
    if x < 0.3:
        return (
            f"{r.choice(_D['nick_parts'])} {r.choice(_D['nick_tails'])} {r.choice(_D['emoji'])}",
            "nickname_emoji",
        )
    if x < 0.5:
        left, right = r.choice(_D["decor"])
        core = r.choice(_D["nick_vi_words"]).replace(" ", r.choice(("_", " ", "")))
        return f"{left}{core}{right}", "nickname_decorated"
    if x < 0.7:
        return f"{r.choice(_D['nick_parts'])} {r.choice(_D['nick_tails'])}", "nickname"
    if x < 0.85:
        return r.choice(_D["nick_en"]), "nickname_en"
    return r.choice(_D["nick_vi_words"]), "nickname_vi"


def _shop(r: random.Random) -> str:
    if r.random() < 0.3:
        return str(r.choice(_D["shop_en"]))
    parts = [r.choice(_D["shop_heads"]), r.choice(_D["shop_goods"])]
    if r.random() < 0.7:
        parts.append(r.choice(_D["shop_tails"]))
    return " ".join(parts)


def _copy(name: str, r: random.Random) -> tuple[str, str]:
    """A near-copy of a verified agency name."""
    x = r.random()
    if x < 0.2:
        chars = list(name)
        idx = [i for i, c in enumerate(chars) if c in _HOMOGLYPH]
        for i in r.sample(idx, min(len(idx), r.randint(1, 3))):
            chars[i] = _HOMOGLYPH[chars[i]]
        return "".join(chars), "copy_homoglyph"
    if x < 0.35:
        return "  ".join(name.split()) if r.random() < 0.5 else name.upper(), "copy_spacing_case"
    if x < 0.55:
        return f"{name} {r.choice(_D['impersonation_tails'])}", "copy_suffix"
    if x < 0.7:
        chars = list(name)
        idx = [i for i, c in enumerate(chars) if c in _LEET]
        if idx:
            i = r.choice(idx)
            chars[i] = _LEET[chars[i]]
        return "".join(chars), "copy_leet"
    if x < 0.85:
        return _fold(name), "copy_no_diacritics"
    # One typo: a letter dropped or doubled.
    i = r.randrange(1, len(name) - 1)
    typo = name[:i] + name[i + 1 :] if r.random() < 0.5 else name[:i] + name[i] + name[i:]
    return typo, "copy_typo"


def generate_accounts(
    ids: Sequence[str] | None = None,
    types: Sequence[str] | None = None,
    *,
    n: int = 1_000,
    seed: int = 874,
    with_labels: bool = False,
    impersonator_share: float = 0.01,
) -> pa.Table:
    """An accounts table (see the module documentation).

    With ``ids``/``types`` (the archive's accounts: ``user``, ``official``, ``agency``) one row
    per id; else ``n`` accounts with about 1.5% agencies, 0.8% officials, 3% shop pages.
    ``impersonator_share`` of the user accounts are turned into impersonators.
    """
    r = random.Random(seed)
    if ids is None:
        kinds = r.choices(("user", "official", "agency", "shop"), (95.7, 0.8, 1.5, 2.0), k=n)
        ids = [f"acct-{seed}-{i:07d}" for i in range(n)]
        types = kinds
    assert types is not None
    n = len(ids)
    agency_names = list(_D["agencies"])
    r.shuffle(agency_names)
    agency_of: dict[int, str] = {}
    rows: dict[str, list[Any]] = {k: [] for k in (
        "account_id", "display_name", "username", "bio", "account_type", "verified",
        "created_at", "website", "contact", "label_4_2", "label_4_3", "label_6_2", "kind",
    )}  # fmt: skip
    agencies = [i for i in range(n) if types[i] == "agency"]
    places = [*_D["given_male"], *_D["given_female"]]
    for k, i in enumerate(agencies):
        # Past the list, ward committees and police of places named like people's names.
        agency_of[i] = (
            agency_names[k]
            if k < len(agency_names)
            else " ".join(
                (
                    r.choice(("UBND Xã", "Công an xã", "UBND Phường")),
                    r.choice(("Tân", "Phú", "An", "Bình")),
                    r.choice(places),
                )
            )
        )
    n_verified = max(1, round(len(agencies) * 0.9))
    verified_names = [agency_of[i] for i in agencies[:n_verified]]
    position = {i: k for k, i in enumerate(agencies)}
    start = dt.datetime(2015, 1, 1, tzinfo=dt.timezone.utc)
    for i in range(n):
        kind_type = types[i]
        account_type, verified = kind_type, False
        website: str | None = ""
        contact: str | None = ""
        bio = r.choice(_D["user_bios"])
        l42 = l43 = l62 = False
        if kind_type == "agency":
            name = agency_of[i]
            verified = position[i] < n_verified
            x = r.random()
            website = f"https://{r.choice(_D['gov_domains'])}" if x > 0.08 else ""
            contact = "1900 0000" if x > 0.05 else ""
            bio = r.choice(_D["agency_bios"])
            l62 = not verified or not (website or contact)
            # 4.3 as the Code's checks define it: a state name on an account that is not a
            # verified agency (the provider cannot tell this page from an impersonator).
            l43 = not verified
            kind = "agency" if not l62 else "agency_problem"
        elif kind_type == "official":
            name = _vi_name(r)
            verified = r.random() < 0.9
            bio = f"{r.choice(_D['titles'])}, {r.choice(agency_names)}"
            l43 = not verified  # a title and a state body claimed by an unverified account
            kind = "official"
            account_type = "official"
        elif kind_type == "shop":
            name = _shop(r)
            has = r.random() < 0.7
            website = f"https://{r.choice(_D['domains'])}/{_slug(name, r)}" if has else ""
            contact = "09" + "".join(r.choice("0123456789") for _ in range(8)) if has else ""
            l42 = not has
            kind = "shop_page"
        else:
            x = r.random()
            if x < impersonator_share and verified_names:
                y = r.random()
                if y < 0.6:
                    name, kind = _copy(r.choice(verified_names), r)
                elif y < 0.85:
                    name, kind = r.choice(_D["generic_claims"]), "claim_generic"
                else:
                    name, kind = f"{r.choice(_D['titles'])} {_vi_name(r)}", "claim_title"
                bio = r.choice(_D["impersonation_bios"])
                account_type = r.choice(("user", "user", "page"))
                l43 = True
                # Not a personal name on a user account; a page without website or contact.
                l42 = True
            elif x < 0.62:
                name, kind = _vary(_vi_name(r), r), "vi_name"
            elif x < 0.70:
                name, kind = f"{r.choice(_D['first_en'])} {r.choice(_D['last_en'])}", "foreign"
            elif x < 0.72:
                name, kind = r.choice(_D["other_script"]), "other_script"
            elif x < 0.73:
                parts = _vi_name(r).split()
                name, kind = "\u200b".join(parts), "zero_width"
                l42 = True
            elif x < 0.90:
                name, kind = _nickname(r)
                l42 = True
            else:
                name, kind = _shop(r), "shop_as_user"
                l42 = True
            verified = r.random() < 0.02 and not l43 and not l42
        rows["account_id"].append(ids[i])
        rows["display_name"].append(name)
        rows["username"].append(_slug(name, r))
        rows["bio"].append(bio)
        rows["account_type"].append(account_type)
        rows["verified"].append(bool(verified))
        rows["created_at"].append(start + dt.timedelta(days=r.randrange(0, 4000)))
        rows["website"].append(website or None)
        rows["contact"].append(contact or None)
        rows["label_4_2"].append(l42)
        rows["label_4_3"].append(l43)
        rows["label_6_2"].append(l62)
        rows["kind"].append(kind)
    table = pa.table(
        {
            **{
                k: pa.array(rows[k], pa.string())
                for k in ("account_id", "display_name", "username", "bio", "account_type")
            },
            "verified": pa.array(rows["verified"], pa.bool_()),
            "created_at": pa.array(rows["created_at"], pa.timestamp("us", tz="UTC")),
            "website": pa.array(rows["website"], pa.string()),
            "contact": pa.array(rows["contact"], pa.string()),
        }
    )
    if with_labels:
        for label in ("label_4_2", "label_4_3", "label_6_2"):
            table = table.append_column(label, pa.array(rows[label], pa.bool_()))
        table = table.append_column("kind", pa.array(rows["kind"], pa.string()))
    return table
