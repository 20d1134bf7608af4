"""Walking and rebuilding trees (BOMs, step trees, their JSON) without recursion.

A BOM may be any number of levels deep, and Python's recursion limit (about 1,000 frames,
several per level) is not a limit the law or a user's ERP knows about. Every walk over a
tree of unknown depth goes through these two functions, which keep their own stack.

>>> tree = ("a", (("b", (("c", ()),)), ("d", ())))
>>> [(depth, node[0]) for depth, node in preorder([tree], lambda n: n[1])]
[(0, 'a'), (1, 'b'), (2, 'c'), (1, 'd')]
>>> rebuild([tree], lambda n: n[1], lambda n, kids: n[0] + "(" + ",".join(kids) + ")")
['a(b(c()),d())']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

N = TypeVar("N")
R = TypeVar("R")


def preorder(roots: Iterable[N], children: Callable[[N], Sequence[N]]) -> Iterator[tuple[int, N]]:
    """Every node with its depth (0 for a root), parents first, siblings in order.

    The roots are walked as given and a stack is made only under a root that has children:
    a flat BOM of 100,000 lines allocates nothing that outlives its step (a stack holding
    every root woke the garbage collector, which then walked the whole case, each time).
    """
    for root in roots:
        yield 0, root
        kids = children(root)
        if not kids:
            continue
        stack = [(1, kid) for kid in reversed(kids)]
        while stack:
            depth, node = stack.pop()
            yield depth, node
            more = children(node)
            if more:
                stack.extend((depth + 1, kid) for kid in reversed(more))


def rebuild(
    roots: Iterable[N],
    children: Callable[[N], Sequence[N]],
    build: Callable[[N, list[R]], R],
) -> list[R]:
    """``build(node, built children)`` for every node, children first; the roots' results.

    Each node's children are built before the node, in their order, so a tree of any depth
    is rebuilt (a new BOM, its JSON, its renamed steps) in time linear in its size.
    """
    done: list[R] = []  # built nodes awaiting their parent, in order
    stack: list[tuple[N, bool]] = [(node, False) for node in reversed(tuple(roots))]
    counts: list[int] = []  # for each node whose children are being built: how many
    while stack:
        node, expanded = stack.pop()
        if expanded:
            count = counts.pop()
            kids = done[len(done) - count :] if count else []
            del done[len(done) - count :]
            done.append(build(node, kids))
            continue
        kids_of = children(node)
        stack.append((node, True))
        counts.append(len(kids_of))
        stack.extend((kid, False) for kid in reversed(kids_of))
    return done
