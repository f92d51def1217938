"""AI Navigation Assistant: the small FastAPI app of examples/ai-navigator, run by flotilla as
four uvicorn instances (see flotilla.yaml and README.md).

It plans routes between named places of a tiny built-in map (Dijkstra over a dozen edges) and
remembers the routes it planned, per instance. `/health` is liveness, `/ready` readiness; the
`FLOTILLA_INSTANCE` environment variable (set by flotilla) says which instance answered.
"""
import asyncio
import heapq
import os
import threading
import time
from typing import Dict, List, Optional

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

SERVICE = "AI Navigation Assistant"
INSTANCE = os.environ.get("FLOTILLA_INSTANCE", "standalone")
STARTED = time.time()

# Travel minutes between places, both ways.
ROADS = [
    ("harbor", "old-town", 7), ("old-town", "cathedral", 4), ("old-town", "market", 5),
    ("market", "station", 6), ("cathedral", "station", 9), ("station", "airport", 22),
    ("market", "university", 8), ("university", "science-park", 6),
    ("science-park", "airport", 15), ("harbor", "beach", 10), ("beach", "science-park", 18),
]
GRAPH: Dict[str, Dict[str, int]] = {}
for a, b, minutes in ROADS:
    GRAPH.setdefault(a, {})[b] = minutes
    GRAPH.setdefault(b, {})[a] = minutes

app = FastAPI(title=SERVICE)
_routes: List[dict] = []
_lock = threading.Lock()


class NavigateRequest(BaseModel):
    origin: str
    destination: str
    avoid: Optional[List[str]] = None


def shortest_path(origin: str, destination: str, avoid: set) -> Optional[tuple]:
    queue = [(0, origin, [origin])]
    done = set()
    while queue:
        minutes, place, path = heapq.heappop(queue)
        if place == destination:
            return minutes, path
        if place in done:
            continue
        done.add(place)
        for nxt, cost in GRAPH.get(place, {}).items():
            if nxt not in done and nxt not in avoid:
                heapq.heappush(queue, (minutes + cost, nxt, path + [nxt]))
    return None


@app.get("/health")
def health():
    return {"status": "healthy", "service": SERVICE}


@app.get("/ready")
def ready():
    # Everything this app needs (the map) is loaded at import: once it answers, it is ready.
    return {"status": "ready", "instance": INSTANCE}


@app.get("/api/places")
def places():
    return {"places": sorted(GRAPH), "instance": INSTANCE}


@app.post("/api/navigate")
def navigate(request: NavigateRequest):
    for place in (request.origin, request.destination):
        if place not in GRAPH:
            raise HTTPException(status_code=404, detail=f"unknown place: {place}")
    found = shortest_path(request.origin, request.destination, set(request.avoid or []))
    if found is None:
        raise HTTPException(status_code=422, detail="no route avoiding those places")
    minutes, path = found
    route = {"origin": request.origin, "destination": request.destination, "path": path,
             "minutes": minutes, "instance": INSTANCE}
    with _lock:
        _routes.append(route)
        del _routes[:-100]  # keep the last 100
    return route


@app.get("/api/suggest")
async def suggest(origin: str, limit: int = 3, think_ms: int = 50):
    """Destinations worth visiting from `origin`, nearest first. `think_ms` stands for the
    assistant's model latency (awaited, so the instance keeps serving other requests)."""
    if origin not in GRAPH:
        raise HTTPException(status_code=404, detail=f"unknown place: {origin}")
    await asyncio.sleep(min(max(think_ms, 0), 5000) / 1000)
    ranked = sorted((shortest_path(origin, place, set())[0], place)
                    for place in GRAPH if place != origin)
    return {"origin": origin, "instance": INSTANCE, "pid": os.getpid(),
            "suggestions": [{"place": place, "minutes": minutes}
                            for minutes, place in ranked[:limit]]}


@app.get("/api/routes")
def routes(limit: int = 10):
    with _lock:
        recent = list(_routes[-limit:])
    return {"routes": recent, "count": len(recent), "instance": INSTANCE, "pid": os.getpid()}


@app.get("/api/status")
def status():
    return {"service": SERVICE, "instance": INSTANCE, "pid": os.getpid(),
            "uptime_s": round(time.time() - STARTED, 1)}
