"""The bit-field algebra of facts the route analysis tracks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from procsim.analysis.routes.results import FactChange
from procsim.core.model import Condition, Process

Region = tuple[int, ...]  # a union of boxes (packed integers), normalised and sorted

_OTHER = "\0other"  # a text value no guard names


class FactSpace:
    """Facts as bit fields: a box packs one set of allowed values per fact into an integer;
    a region is a union of boxes. The route analysis narrows regions by guards and rewrites
    them by steps."""

    process: Process
    changes: tuple[FactChange, ...]
    guard_regions: dict[str, Region]

    # ------------------------------------------------------------ facts as bit fields
    def _track_facts(self, changes: Sequence[FactChange]) -> None:
        process = self.process
        read: list[str] = []
        for transition in process.transitions:
            for name in transition.guards:
                read.extend(f for f in process.guards[name].condition.facts_read() if f not in read)
        self.changes = tuple(change for change in changes if change.fact in read)
        for change in self.changes:
            for name in change.guards:
                read.extend(f for f in process.guards[name].condition.facts_read() if f not in read)
        compared: dict[str, list[Any]] = {}
        for guard in process.guards.values():
            _collect_values(guard.condition, compared)
        self.names: tuple[str, ...] = tuple(read)
        self.index = {name: i for i, name in enumerate(self.names)}
        domains = []
        for name in self.names:
            if name in process.derived:
                domains.append(tuple(value for _, value in process.derived[name].ranges))
                continue
            spec = process.facts[name]
            if spec.type == "bool":
                values: list[Any] = [False, True]
            elif spec.type == "enum":
                values = list(spec.values)
            else:  # text or date: the values guards name, and any other
                values = [*dict.fromkeys(compared.get(name, [])), _OTHER]
            if spec.default is None:
                values.append(None)  # never set
            domains.append(tuple(values))
        self.domains: tuple[tuple[Any, ...], ...] = tuple(domains)
        # each field is followed by one spare bit, always 0 in a box: adding a field's full
        # mask carries into its spare bit exactly when the field is not empty
        offsets, offset = [], 0
        for domain in self.domains:
            offsets.append(offset)
            offset += len(domain) + 1
        self.offsets = tuple(offsets)
        self.fields = tuple(((1 << len(d)) - 1) << o for d, o in zip(self.domains, offsets, strict=True))
        self.full = sum(self.fields)
        #: normalise's results for unions of three boxes or more
        self._normal: dict[frozenset[int], Region] = {}
        self._carries = sum(1 << (o + len(d)) for d, o in zip(self.domains, offsets, strict=True))

    def _fold(self, box: int) -> int:
        """One bit (the field's spare bit) for each field of ``box`` that is not empty."""
        return (box + self.full) & self._carries

    def nonempty(self, box: int) -> bool:
        return (box + self.full) & self._carries == self._carries

    def mask(self, fact: str, values: Sequence[Any]) -> int:
        """The bits (within the fact's field) of ``values``."""
        i = self.index[fact]
        bits = 0
        for position, value in enumerate(self.domains[i]):
            if any(_same(value, wanted) for wanted in values):
                bits |= 1 << position
        return bits << self.offsets[i]

    def get(self, box: int, i: int) -> int:
        """The allowed-value bits of fact ``i`` in ``box``, shifted down."""
        return (box & self.fields[i]) >> self.offsets[i]

    def box(self, **masks: int) -> int:
        box = self.full
        for fact, bits in masks.items():
            box = (box & ~self.fields[self.index[fact]]) | bits
        return box

    def region(self, condition: Condition) -> Region:
        """The facts that satisfy ``condition``, as a union of boxes."""
        op = condition.op
        if op in ("is", "in", "not_in"):
            fact = condition.fact or ""
            bits = self.mask(fact, [condition.value] if op == "is" else list(condition.value))
            if op == "not_in":
                bits = self.fields[self.index[fact]] & ~bits
            return self.normalise([self.box(**{fact: bits})])
        if op == "all":
            result: Region = (self.full,)
            for child in condition.children:
                result = self.intersect(result, self.region(child))
            return result
        if op == "any":
            return self.normalise([box for child in condition.children for box in self.region(child)])
        if op == "not":
            return self.complement(self.region(condition.children[0]))
        raise ValueError(f"unknown condition operator {op!r}")

    def complement(self, region: Region) -> Region:
        result: Region = (self.full,)
        for box in region:
            pieces = [self.full & ~field | (field & ~box) for field in self.fields if field & ~box]
            result = self.intersect(result, self.normalise(pieces))
        return result

    def intersect(self, first: Region, second: Region) -> Region:
        boxes = [a & b for a in first for b in second]
        return self.normalise([box for box in boxes if self.nonempty(box)])

    def guards_region(self, guards: Sequence[str]) -> Region:
        result: Region = (self.full,)
        for name in guards:
            result = self.intersect(result, self.guard_regions[name])
        return result

    def fixed(self, facts: Mapping[str, Any]) -> Region:
        """The region where each tracked fact named in ``facts`` has the value given."""
        box = self.full
        for fact, value in facts.items():
            if fact in self.index:
                i = self.index[fact]
                box = (box & ~self.fields[i]) | self.mask(fact, [_value_in(self.domains[i], value)])
        return (box,) if self.nonempty(box) else ()

    def normalise(self, boxes: Sequence[int]) -> Region:
        """No empty, repeated or contained boxes; two that differ in one field only are joined."""
        unique = set(boxes)
        if len(unique) <= 1:
            return tuple(unique)
        if len(unique) == 2:
            a, b = sorted(unique)
            if a & ~b == 0:
                return (b,)
            if b & ~a == 0:
                return (a,)
            differ = self._fold(a ^ b)
            return (a | b,) if differ & (differ - 1) == 0 else (a, b)
        key = frozenset(unique)
        cached = self._normal.get(key)
        if cached is None:
            cached = self._normal[key] = self._normalise(unique)
        return cached

    def _normalise(self, unique: set[int]) -> Region:
        """:meth:`normalise` of three boxes or more (the same unions recur: callers cache it)."""
        while True:
            ordered = sorted(unique)
            # a box inside another is numerically smaller: look only at the boxes after it
            kept = [b for i, b in enumerate(ordered) if not any(b & ~o == 0 for o in ordered[i + 1 :])]
            joined = None
            for x in range(len(kept)):
                for y in range(x + 1, len(kept)):
                    differ = self._fold(kept[x] ^ kept[y])
                    if differ & (differ - 1) == 0:  # one field differs
                        joined = (x, y)
                        break
                if joined:
                    break
            if joined is None:
                return tuple(kept)
            x, y = joined
            unique = set(kept)
            unique.discard(kept[x])
            unique.discard(kept[y])
            unique.add(kept[x] | kept[y])

    def _named(self, world: int) -> dict[str, Any]:
        named = {}
        for i, name in enumerate(self.names):
            position = self.get(world, i).bit_length() - 1
            value = self.domains[i][position]
            named[name] = None if value == _OTHER else value
        return named

    def _pick(self, box: int, prefer: Mapping[str, Any]) -> int:
        """One concrete world (a single bit per field) inside ``box``, preferring given values."""
        world = 0
        for i, name in enumerate(self.names):
            bits = self.get(box, i)
            wanted = prefer[name] if name in prefer else self._default(name)
            choice = None
            for position, value in enumerate(self.domains[i]):
                if bits >> position & 1 and _same(value, wanted):
                    choice = position
            if choice is None:
                choice = (bits & -bits).bit_length() - 1
            world |= 1 << (self.offsets[i] + choice)
        return world

    def _default(self, name: str) -> Any:
        spec = self.process.facts.get(name)
        return spec.default if spec is not None else None


# ---------------------------------------------------------------------- helpers
def _collect_values(condition: Condition, into: dict[str, list[Any]]) -> None:
    if condition.fact is not None:
        into.setdefault(condition.fact, []).extend(
            [condition.value] if condition.op == "is" else list(condition.value)
        )
    for child in condition.children:
        _collect_values(child, into)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return a == b


def _value_in(domain: tuple[Any, ...], value: Any) -> Any:
    """The domain's own spelling of ``value`` (text facts: any unnamed value is 'other')."""
    for candidate in domain:
        if _same(candidate, value):
            return candidate
    for candidate in domain:
        if not isinstance(candidate, bool) and candidate is not None and str(candidate) == str(value):
            return candidate
    return _OTHER if _OTHER in domain else value
