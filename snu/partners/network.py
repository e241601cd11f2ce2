"""Simple network measures on an undirected graph, in plain Python (no Django, no networkx).

A graph is a dict node -> set of neighbours. Nodes are any hashable, sortable values (partner ids).
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Iterable
from typing import Any

Graph = dict[Any, set[Any]]


def build_graph(nodes: Iterable[Any], edges: Iterable[tuple[Any, Any]]) -> Graph:
    graph: Graph = {n: set() for n in nodes}
    for a, b in edges:
        if a == b:
            continue
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set()).add(a)
    return graph


def degree(graph: Graph) -> dict[Any, int]:
    return {n: len(nbrs) for n, nbrs in graph.items()}


def components(graph: Graph) -> list[list[Any]]:
    """Connected components, largest first, each sorted."""
    seen: set[Any] = set()
    out = []
    for start in sorted(graph, key=str):
        if start in seen:
            continue
        part, queue = [], deque([start])
        seen.add(start)
        while queue:
            node = queue.popleft()
            part.append(node)
            for nbr in graph[node]:
                if nbr not in seen:
                    seen.add(nbr)
                    queue.append(nbr)
        out.append(sorted(part, key=str))
    return sorted(out, key=lambda c: (-len(c), str(c[0])))


def betweenness(graph: Graph, normalised: bool = True) -> dict[Any, float]:
    """Brandes' betweenness centrality for an unweighted, undirected graph.

    Normalised by the number of pairs of other nodes, (n-1)(n-2)/2, so values lie in [0, 1].
    """
    score: dict[Any, float] = dict.fromkeys(graph, 0.0)
    for source in graph:
        stack, preds = [], {n: [] for n in graph}
        paths = dict.fromkeys(graph, 0)
        dist = dict.fromkeys(graph, -1)
        paths[source], dist[source] = 1, 0
        queue = deque([source])
        while queue:
            v = queue.popleft()
            stack.append(v)
            for w in graph[v]:
                if dist[w] < 0:
                    dist[w] = dist[v] + 1
                    queue.append(w)
                if dist[w] == dist[v] + 1:
                    paths[w] += paths[v]
                    preds[w].append(v)
        delta = dict.fromkeys(graph, 0.0)
        while stack:
            w = stack.pop()
            for v in preds[w]:
                delta[v] += paths[v] / paths[w] * (1 + delta[w])
            if w != source:
                score[w] += delta[w]
    n = len(graph)
    # Each pair was counted from both ends.
    scale = 0.5
    if normalised and n > 2:
        scale = 1 / ((n - 1) * (n - 2))
    return {node: value * scale for node, value in score.items()}


def articulation_points(graph: Graph) -> set[Any]:
    """Nodes whose removal splits their component: the ones who connect otherwise separate groups."""
    points: set[Any] = set()
    index: dict[Any, int] = {}
    low: dict[Any, int] = {}
    counter = 0
    for root in sorted(graph, key=str):
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        root_children = 0
        # Iterative DFS: (node, parent, iterator over neighbours)
        stack = [(root, None, iter(sorted(graph[root], key=str)))]
        while stack:
            node, parent, nbrs = stack[-1]
            advanced = False
            for nbr in nbrs:
                if nbr == parent:
                    continue
                if nbr in index:
                    low[node] = min(low[node], index[nbr])
                    continue
                index[nbr] = low[nbr] = counter
                counter += 1
                if node == root:
                    root_children += 1
                stack.append((nbr, node, iter(sorted(graph[nbr], key=str))))
                advanced = True
                break
            if advanced:
                continue
            stack.pop()
            if parent is not None:
                low[parent] = min(low[parent], low[node])
                if parent != root and low[node] >= index[parent]:
                    points.add(parent)
        if root_children > 1:
            points.add(root)
    return points


def bridges(graph: Graph) -> set[frozenset]:
    """Edges whose removal splits their component (fine for the few hundred edges of a county's network)."""
    found: set[frozenset] = set()
    for edge in {frozenset((a, b)) for a in graph for b in graph[a]}:
        a, b = tuple(edge)
        trimmed = {n: set(nbrs) for n, nbrs in graph.items()}
        trimmed[a].discard(b)
        trimmed[b].discard(a)
        if not _reachable(trimmed, a, b):
            found.add(edge)
    return found


def _reachable(graph: Graph, start: Any, goal: Any) -> bool:
    seen, queue = {start}, deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            return True
        for nbr in graph[node] - seen:
            seen.add(nbr)
            queue.append(nbr)
    return False


def layout(graph: Graph, width: float = 800, height: float = 520, seed: int = 7) -> dict[Any, tuple[float, float]]:
    """A deterministic force-directed layout (Fruchterman–Reingold) inside a margin of the box."""
    nodes = sorted(graph, key=str)
    if not nodes:
        return {}
    rng = random.Random(seed)
    margin = 60.0
    w, h = width - 2 * margin, height - 2 * margin
    if len(nodes) == 1:
        return {nodes[0]: (width / 2, height / 2)}
    pos = {n: [rng.uniform(0, w), rng.uniform(0, h)] for n in nodes}
    k = math.sqrt(w * h / len(nodes)) * 0.8
    temperature = w / 8
    for _ in range(150):
        disp = {n: [0.0, 0.0] for n in nodes}
        for i, a in enumerate(nodes):
            for b in nodes[i + 1 :]:
                dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
                dist = max(math.hypot(dx, dy), 0.01)
                force = k * k / dist
                disp[a][0] += dx / dist * force
                disp[a][1] += dy / dist * force
                disp[b][0] -= dx / dist * force
                disp[b][1] -= dy / dist * force
        for a in nodes:
            for b in graph[a]:
                if str(a) < str(b):
                    dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
                    dist = max(math.hypot(dx, dy), 0.01)
                    force = dist * dist / k
                    disp[a][0] -= dx / dist * force
                    disp[a][1] -= dy / dist * force
                    disp[b][0] += dx / dist * force
                    disp[b][1] += dy / dist * force
        for n in nodes:
            # A weak pull to the centre keeps separate groups on the canvas.
            disp[n][0] += (w / 2 - pos[n][0]) * 0.05
            disp[n][1] += (h / 2 - pos[n][1]) * 0.05
            length = max(math.hypot(*disp[n]), 0.01)
            step = min(length, temperature)
            pos[n][0] = min(w, max(0.0, pos[n][0] + disp[n][0] / length * step))
            pos[n][1] = min(h, max(0.0, pos[n][1] + disp[n][1] / length * step))
        temperature *= 0.96
    return {n: (round(p[0] + margin, 1), round(p[1] + margin, 1)) for n, p in pos.items()}
