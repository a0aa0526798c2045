"""How procsim counts routes, in words: the one description that ``paths --help``, the JSON
of ``paths`` and the README's method section follow (no imports: ``--help`` stays quick)."""

ROUTE_METHOD = """\
A route ends where a case can end: in a terminal state, or in a state that is
concluded unless challenged (the route stops there; going on to a challenge makes
another route). Both kinds are reported, each under its own heading. With --to,
a route ends on arriving at STATE.

Facts: every fact a guard reads starts free, and a route counts if some set of
facts lets every guard on it hold. Facts keep their values along the route except
where a step sets or records them (e.g. proceedings_form: hearing; the decision-
maker challenged), or a side event that must set one changes it between steps
(the officer leaves: officer_status from serving to resigned or retired). The
regime is fixed by the complaint's date, chosen once. An event's own facts: are
taken as true all along, not as a way to change facts mid-route.

Loops: the process lists its states in process order; within each cycle of states
the first open (not concluded) state listed is where the loop begins again, and a
step back to it is a loop step: a remittal, a re-investigation, a return to the
appropriate authority, resuming after criminal proceedings, a further hearing, the
Court of Appeal remitting to the High Court. A route takes at most --max-loops of
them (default 1). Routes are counted over shared nodes (state, facts still possible,
loop steps taken), never listed unless asked; facts no guard can read again are
forgotten (judged per value of the decision challenged and the regime) so that
more routes share nodes. A stretch through the courts, whose steps read a few
facts of their own, is counted once per pattern of those facts, the others
carried through to where the route leaves: the same counts. Each extra loop
multiplies the work about tenfold (--max-loops 2 takes about 7 s and 0.4 GB).
"""
