#!/usr/bin/env python3
"""Offline evaluation of Marquee against simple baselines on a leave-last-out split.

Usage: tools/eval/run.sh DIR_OR_JSONL [--marquee] [--limit-users N] [--k 10] [--json FILE]

Reads MovieLens (ml-latest CSV, ML-1M .dat, ML-100k u.data) or a JSONL events file, holds out each user's last
interaction, scores popularity, item-kNN, recency-weighted item-kNN, item-to-item transitions, EASE and a blend on
the rest, and with --marquee imports the training part into a running stack and asks its gateway for every user.
"""

import argparse
import csv
import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import scipy.sparse as sp

LIST_LENGTH = 50                # every list is this long: Recall@50
RECENCY_DECAY = 0.8             # recency-kNN weight of an item: 0.8^age, age 0 = newest
TRANSITION_WINDOW = 5           # b "follows" a when it comes at most 5 steps later
EASE_LAMBDA = 100.0
DENSE_MAX_ITEMS = 20_000        # EASE and dense item-item matrices only up to this many items
SCORE_CELLS_PER_BATCH = 4_000_000  # users per scoring batch = this / items
SAMPLE_SEED = 0                 # --limit-users draws its users with this seed
# A JSONL event that is not a rating becomes, for Marquee's MovieLens import, the rating whose weight (value - 2.5)
# equals the event type's weight in Marquee (view 1, click 2, add_to_cart 3, purchase 4), at most 5 stars.
RATING_OF_EVENT_TYPE = {"view": 3.5, "click": 4.5, "add_to_cart": 5.0, "purchase": 5.0}
NO_GENRES = "(no genres listed)"
DEFAULT_URLS = {"INGEST_URL": "http://127.0.0.1:8081", "GATEWAY_URL": "http://127.0.0.1:8080",
                "RANKING_URL": "http://127.0.0.1:8084", "EMBEDDING_URL": "http://127.0.0.1:8082"}
POLL_SECONDS = 5
EMBEDDING_STABLE_SECONDS = 30


# ---------------------------------------------------------------------------------------------------------- data ---

@dataclass
class Dataset:
    """Interactions in file order (index arrays into user_ids / item_ids) and the catalog's metadata."""
    source: str
    layout: str
    users: np.ndarray            # int64 user index per interaction
    items: np.ndarray            # int64 item index per interaction
    ratings: np.ndarray          # float64 rating (or value derived from the event type) per interaction
    times: np.ndarray            # float64 epoch seconds per interaction
    user_ids: list               # external user id (str) per user index
    item_ids: list               # external item id (str) per item index
    catalog: dict = field(default_factory=dict)   # external item id -> (title, [genres]); may hold unrated items
    numeric_ids: bool = True     # MovieLens ids are integers; JSONL ids are mapped to 1..n for Marquee


def load_dataset(path: Path) -> Dataset:
    """The interactions and catalog at `path`: a MovieLens folder in any of three layouts, or a JSONL events file."""
    if path.is_file():
        return load_jsonl(path)
    if (path / "ratings.csv").is_file():
        return load_movielens(path, "ml-latest", read_ratings_csv(path / "ratings.csv"),
                              read_movies_csv(path / "movies.csv"))
    if (path / "ratings.dat").is_file():
        table = read_numeric_table(path / "ratings.dat", "latin-1", "::", 4)
        return load_movielens(path, "ml-1m", table, read_movies_dat(path / "movies.dat"))
    if (path / "u.data").is_file():
        table = read_numeric_table(path / "u.data", "latin-1", "\t", 4)
        return load_movielens(path, "ml-100k", table, read_u_item(path / "u.item", path / "u.genre"))
    sys.exit(f"eval: {path} holds none of ratings.csv, ratings.dat, u.data and is no JSONL file")


def read_numeric_table(path: Path, encoding: str, separator: str, columns: int, skip_lines: int = 0) -> np.ndarray:
    """The numbers of a delimited text file (quotes ignored) as a float64 array with `columns` columns."""
    with open(path, encoding=encoding) as f:
        for _ in range(skip_lines):
            f.readline()
        text = f.read()
    rows = sum(1 for line in text.splitlines() if line.strip())
    values = np.fromstring(text.replace(separator, " ").replace('"', " "), dtype=np.float64, sep=" ")
    if values.size != rows * columns:
        sys.exit(f"eval: {path}: expected {columns} numbers on each of {rows} lines, read {values.size} numbers")
    return values.reshape(rows, columns)


def read_ratings_csv(path: Path) -> np.ndarray:
    """ml-latest ratings.csv (header userId,movieId,rating,timestamp in any order) as rows of those four columns."""
    with open(path, encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    wanted = ["userId", "movieId", "rating", "timestamp"]
    missing = [c for c in wanted if c not in header]
    if missing:
        sys.exit(f"eval: {path}: header {header} lacks {missing}")
    table = read_numeric_table(path, "utf-8", ",", len(header), skip_lines=1)
    return table[:, [header.index(c) for c in wanted]]


def read_movies_csv(path: Path) -> dict:
    """ml-latest movies.csv (quoted CSV, header movieId,title,genres) as movieId -> (title, genres)."""
    catalog = {}
    if path.is_file():
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                catalog[row["movieId"].strip()] = (row["title"], split_genres(row["genres"]))
    return catalog


def read_movies_dat(path: Path) -> dict:
    """ML-1M movies.dat (latin-1, MovieID::Title::G1|G2) as movieId -> (title, genres)."""
    catalog = {}
    if path.is_file():
        with open(path, encoding="latin-1") as f:
            for line in f:
                if line.strip():
                    movie_id, title, genres = line.rstrip("\r\n").split("::", 2)
                    catalog[movie_id.strip()] = (title, split_genres(genres))
    return catalog


def read_u_item(path: Path, genre_path: Path) -> dict:
    """ML-100k u.item (latin-1, '|'-separated, last 19 fields genre flags named by u.genre) as id -> (title, genres)."""
    catalog = {}
    if not path.is_file():
        return catalog
    genre_names = {}
    if genre_path.is_file():
        with open(genre_path, encoding="latin-1") as f:
            for line in f:
                if "|" in line:
                    name, index = line.strip().rsplit("|", 1)
                    genre_names[int(index)] = name
    with open(path, encoding="latin-1") as f:
        for line in f:
            fields = line.rstrip("\r\n").split("|")
            if len(fields) < 24:
                continue
            flags = fields[-19:]
            genres = [genre_names.get(i, f"genre-{i}") for i, flag in enumerate(flags) if flag.strip() == "1"]
            catalog[fields[0].strip()] = (fields[1], [g for g in genres if g != "unknown"])
    return catalog


def split_genres(field_text: str) -> list:
    """'A|B' -> ['A', 'B']; nothing for an empty field or '(no genres listed)'."""
    text = field_text.strip()
    if not text or text == NO_GENRES:
        return []
    return [g.strip() for g in text.split("|") if g.strip()]


def load_movielens(path: Path, layout: str, table: np.ndarray, catalog: dict) -> Dataset:
    """A Dataset from rows of (userId, movieId, rating, timestamp) and the movies' metadata."""
    user_numbers, users = np.unique(table[:, 0].astype(np.int64), return_inverse=True)
    item_numbers, items = np.unique(table[:, 1].astype(np.int64), return_inverse=True)
    return Dataset(str(path), layout, users.astype(np.int64), items.astype(np.int64), table[:, 2].copy(),
                   table[:, 3].copy(), [str(u) for u in user_numbers], [str(i) for i in item_numbers], catalog)


def load_jsonl(path: Path) -> Dataset:
    """A JSONL events file (userId, itemId, type, timestamp ISO-8601, optional value); impressions are skipped."""
    user_index, item_index = {}, {}
    users, items, ratings, times = [], [], [], []
    skipped = 0
    with open(path, encoding="utf-8") as f:
        for line_number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
                kind = str(event.get("type", "")).lower()
                if kind == "impression":
                    skipped += 1
                    continue
                seconds = parse_timestamp(event["timestamp"])
                user, item = str(event["userId"]), str(event["itemId"])
            except (ValueError, KeyError, TypeError) as e:
                sys.exit(f"eval: {path}:{line_number}: not an event with userId, itemId, type, timestamp ({e})")
            users.append(user_index.setdefault(user, len(user_index)))
            items.append(item_index.setdefault(item, len(item_index)))
            ratings.append(event_rating(kind, event.get("value")))
            times.append(seconds)
    if skipped:
        print(f"eval: skipped {skipped:,} impression events (no preference signal)")
    return Dataset(str(path), "jsonl", np.array(users, dtype=np.int64), np.array(items, dtype=np.int64),
                   np.array(ratings, dtype=np.float64), np.array(times, dtype=np.float64),
                   list(user_index), list(item_index), {}, numeric_ids=False)


def parse_timestamp(text: str) -> float:
    """ISO-8601 ('Z' or an offset; none means UTC) -> epoch seconds."""
    moment = datetime.fromisoformat(str(text))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def event_rating(kind: str, value) -> float:
    """The star rating an event stands for: its value for a rating, else the type's equivalent (see above)."""
    if kind == "rating" and isinstance(value, (int, float)) and 0 <= value <= 5:
        return float(value)
    return RATING_OF_EVENT_TYPE.get(kind, 2.5)


# --------------------------------------------------------------------------------------------------------- split ---

@dataclass
class Split:
    """Leave-last-out: `train` rows (sorted by user, time, file order) and one held-out item per evaluated user."""
    train: np.ndarray            # row numbers into the Dataset arrays
    eval_users: np.ndarray       # user indices evaluated (at least 2 interactions), ascending
    held_out: np.ndarray         # item index held out for each evaluated user


def leave_last_out(ds: Dataset, limit_users: int | None) -> Split:
    """Per user, interactions sorted by (timestamp, file order); the last one is held out if the user has >= 2."""
    order = np.lexsort((np.arange(len(ds.users)), ds.times, ds.users))
    sorted_users = ds.users[order]
    is_last = np.ones(len(order), dtype=bool)
    is_last[:-1] = sorted_users[:-1] != sorted_users[1:]
    counts = np.bincount(ds.users, minlength=len(ds.user_ids))
    held = is_last & (counts[sorted_users] >= 2)
    eval_users, held_out = sorted_users[held], ds.items[order[held]]
    if limit_users is not None and limit_users < len(eval_users):
        pick = np.sort(np.random.default_rng(SAMPLE_SEED).choice(len(eval_users), limit_users, replace=False))
        eval_users, held_out = eval_users[pick], held_out[pick]
    return Split(order[~held], eval_users, held_out)


# ----------------------------------------------------------------------------------------------------- training ---

@dataclass
class Training:
    """What the baselines learn from: user x item matrices of the training rows and item popularity."""
    seen: sp.csr_matrix          # 1 where the user interacted with the item
    recency: sp.csr_matrix       # 0.8^age of the user's newest interaction with the item (age 0 = newest)
    recent: sp.csr_matrix        # 1/(1+age) for the items of the user's last 5 interactions
    popularity: np.ndarray       # training interactions per item
    sequence_users: np.ndarray   # training rows in sequence order: user index
    sequence_items: np.ndarray   # ... and item index

    @property
    def candidates(self) -> np.ndarray:
        """Items that can be recommended: those with at least one training interaction."""
        return self.popularity > 0


def build_training(ds: Dataset, split: Split) -> Training:
    """The training matrices from the rows of the split (already in per-user time order)."""
    users, items = ds.users[split.train], ds.items[split.train]
    shape = (len(ds.user_ids), len(ds.item_ids))
    per_user = np.bincount(users, minlength=shape[0])
    age = (np.cumsum(per_user)[users] - 1) - np.arange(len(users))
    seen = newest_weight_matrix(users, items, age, np.ones(len(users)), shape)
    recency = newest_weight_matrix(users, items, age, RECENCY_DECAY ** age.astype(np.float64), shape)
    last = age < TRANSITION_WINDOW
    recent = newest_weight_matrix(users[last], items[last], age[last], 1.0 / (1.0 + age[last]), shape)
    popularity = np.bincount(items, minlength=shape[1]).astype(np.float64)
    return Training(seen, recency, recent, popularity, users, items)


def newest_weight_matrix(users, items, age, weights, shape) -> sp.csr_matrix:
    """User x item float32 matrix with, per (user, item), the weight of the row with the smallest age."""
    key = users * shape[1] + items
    by_key_then_age = np.lexsort((age, key))
    _, first = np.unique(key[by_key_then_age], return_index=True)
    rows = by_key_then_age[first]
    return sp.csr_matrix((weights[rows].astype(np.float32), (users[rows], items[rows])), shape=shape)


# ---------------------------------------------------------------------------------------------------- baselines ---

BASELINES = ["popular", "item-knn", "recency-knn", "transitions", "ease", "blend"]


class Baselines:
    """The fitted baselines; `scores` gives each one's user x item scores for a batch of users."""

    def __init__(self, training: Training, timings: dict):
        self.training = training
        n_items = training.seen.shape[1]
        started = time.perf_counter()
        cooccurrence = item_cooccurrence(training.seen)
        self.similarity = cosine_similarity(cooccurrence)
        timings["fit item-knn (co-occurrence + cosine)"] = time.perf_counter() - started
        started = time.perf_counter()
        self.transitions = transition_counts(training.sequence_users, training.sequence_items, n_items)
        timings["fit transitions"] = time.perf_counter() - started
        self.ease = None
        if n_items <= DENSE_MAX_ITEMS:
            started = time.perf_counter()
            self.ease = ease_weights(cooccurrence)
            timings["fit ease"] = time.perf_counter() - started

    @property
    def names(self) -> list:
        """The baselines this data set allows (EASE only up to DENSE_MAX_ITEMS items)."""
        return [n for n in BASELINES if n != "ease" or self.ease is not None]

    def scores(self, users: np.ndarray, banned: np.ndarray, timings: dict) -> dict:
        """name -> float32 scores (len(users) x items); `banned` marks the items no list may hold."""
        t = self.training
        producers = {
            "popular": lambda: np.broadcast_to(t.popularity.astype(np.float32), banned.shape),
            "item-knn": lambda: dense(t.seen[users] @ self.similarity),
            "recency-knn": lambda: dense(t.recency[users] @ self.similarity),
            "transitions": lambda: dense(t.recent[users] @ self.transitions),
            "ease": lambda: dense(t.seen[users] @ self.ease),
        }
        out = {}
        for name in self.names:
            started = time.perf_counter()
            if name == "blend":
                out[name] = 0.5 * max_normalised(out["recency-knn"], banned) \
                    + 0.5 * max_normalised(out["transitions"], banned)
            else:
                out[name] = producers[name]()
            timings[f"score {name}"] = timings.get(f"score {name}", 0.0) + time.perf_counter() - started
        return out


def item_cooccurrence(seen: sp.csr_matrix):
    """Item x item counts of users who interacted with both (X^T X): dense float64 up to DENSE_MAX_ITEMS items."""
    gram = (seen.T @ seen).tocsr()
    return gram.toarray().astype(np.float64) if seen.shape[1] <= DENSE_MAX_ITEMS else gram


def cosine_similarity(cooccurrence):
    """Cosine similarity of the items' binary user vectors from their co-occurrence counts, zero diagonal."""
    norms = np.sqrt(cooccurrence.diagonal())
    inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    if sp.issparse(cooccurrence):
        similarity = (sp.diags(inverse) @ cooccurrence @ sp.diags(inverse)).tocsr().astype(np.float32)
        similarity.setdiag(0)
        similarity.eliminate_zeros()
        return similarity
    similarity = (cooccurrence * inverse[:, None] * inverse[None, :]).astype(np.float32)
    np.fill_diagonal(similarity, 0.0)
    return similarity


def transition_counts(users: np.ndarray, items: np.ndarray, n_items: int) -> sp.csr_matrix:
    """Item x item counts of b following a within TRANSITION_WINDOW steps of one user's training sequence."""
    sources, targets = [], []
    for step in range(1, TRANSITION_WINDOW + 1):
        same_user = users[step:] == users[:-step]
        sources.append(items[:-step][same_user])
        targets.append(items[step:][same_user])
    sources, targets = np.concatenate(sources), np.concatenate(targets)
    return sp.csr_matrix((np.ones(len(sources), dtype=np.float32), (sources, targets)), shape=(n_items, n_items))


def ease_weights(cooccurrence: np.ndarray) -> np.ndarray:
    """EASE item x item weights: B = I - P diagMat(1/diag(P)), P = (X^T X + lambda I)^-1, zero diagonal."""
    gram = cooccurrence.copy()
    gram[np.diag_indices_from(gram)] += EASE_LAMBDA
    precision = np.linalg.inv(gram)
    weights = precision / -np.diag(precision)[None, :]
    np.fill_diagonal(weights, 0.0)
    return weights.astype(np.float32)


def dense(matrix) -> np.ndarray:
    """A float32 ndarray of a sparse or dense product."""
    return np.asarray(matrix.toarray() if sp.issparse(matrix) else matrix, dtype=np.float32)


def max_normalised(scores: np.ndarray, banned: np.ndarray) -> np.ndarray:
    """Scores divided by each user's largest score among the items they may be shown (rows of zeros stay zero)."""
    top = np.where(banned, 0.0, scores).max(axis=1, keepdims=True)
    return np.divide(scores, top, out=np.zeros_like(scores), where=top > 0)


def top_lists(scores: np.ndarray, banned: np.ndarray, popularity_order: np.ndarray, length: int) -> np.ndarray:
    """Each row's best `length` items (ties: the more popular first), never a banned item; -1 pads short rows."""
    ranked = np.where(banned, -np.inf, scores)[:, popularity_order]
    positions = np.argsort(-ranked, axis=1, kind="stable")[:, :length]
    lists = popularity_order[positions]
    lists[~np.isfinite(np.take_along_axis(ranked, positions, axis=1))] = -1
    return lists


def evaluate_baselines(training: Training, split: Split, timings: dict) -> tuple:
    """Fits the baselines and returns (names, name -> lists of LIST_LENGTH item indices per evaluated user)."""
    baselines = Baselines(training, timings)
    n_items = training.seen.shape[1]
    popularity_order = np.argsort(-training.popularity, kind="stable")
    batch = max(1, SCORE_CELLS_PER_BATCH // max(1, n_items))
    lists = {name: np.full((len(split.eval_users), LIST_LENGTH), -1, dtype=np.int64) for name in baselines.names}
    for start in range(0, len(split.eval_users), batch):
        users = split.eval_users[start:start + batch]
        banned = training.seen[users].toarray().astype(bool) | ~training.candidates[None, :]
        for name, scores in baselines.scores(users, banned, timings).items():
            started = time.perf_counter()
            lists[name][start:start + len(users)] = top_lists(scores, banned, popularity_order, LIST_LENGTH)
            timings[f"score {name}"] += time.perf_counter() - started
    return baselines.names, lists


# ------------------------------------------------------------------------------------------------------ metrics ---

def list_metrics(lists: np.ndarray, held_out: np.ndarray, k: int, n_train_items: int) -> dict:
    """HR@k and NDCG@k (single held-out item: 1/log2(rank+2) when in the top k), Recall@50, catalog coverage@k."""
    hits = lists == held_out[:, None]
    found = hits.any(axis=1)
    rank = np.where(found, hits.argmax(axis=1), LIST_LENGTH)
    in_top_k = found & (rank < k)
    shown = lists[:, :k]
    distinct = np.unique(shown[shown >= 0]).size
    return {"hr": float(in_top_k.mean()),
            "ndcg": float(np.where(in_top_k, 1.0 / np.log2(rank + 2.0), 0.0).mean()),
            "recall50": float(found.mean()),
            "coverage": distinct / n_train_items if n_train_items else float("nan")}


# ------------------------------------------------------------------------------------------------------ marquee ---

def service_urls(repo_root: Path) -> dict:
    """INGEST/GATEWAY/RANKING/EMBEDDING URLs: the environment, else .marquee/urls.env, else the local defaults. Also
    sets the API key its requests carry (MARQUEE_API_KEY, from the same places; none by default)."""
    global API_KEY
    state_dir = Path(os.environ.get("MARQUEE_STATE_DIR", repo_root / ".marquee"))
    from_file = {}
    urls_env = state_dir / "urls.env"
    if urls_env.is_file():
        for line in urls_env.read_text().splitlines():
            name, sep, value = line.partition("=")
            if sep:
                from_file[name.strip()] = value.strip()
    API_KEY = os.environ.get("MARQUEE_API_KEY") or from_file.get("MARQUEE_API_KEY") or ""
    return {name: (os.environ.get(name) or from_file.get(name) or default).rstrip("/")
            for name, default in DEFAULT_URLS.items()}


API_KEY = ""


def http_json(method: str, url: str, timeout: float = 30.0, body=None, headers=None):
    """(status, parsed JSON or text) of one request; status 0 with the reason when the server cannot be reached."""
    headers = dict(headers or {})
    if API_KEY:
        headers["X-API-Key"] = API_KEY
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    except (urllib.error.URLError, OSError) as e:
        return 0, str(e)
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode("utf-8", "replace")


@dataclass
class MarqueeExport:
    """The training split written in the MovieLens CSV layout, and how Marquee's ids map back to the data set."""
    folder: Path
    user_number: np.ndarray      # Marquee user "ml-<n>" per user index
    item_of_number: dict         # n of Marquee item "ml-<n>" -> item index
    expected_events: np.ndarray  # distinct rating events (movie, second) per user index in the training split
    movies: list                 # Marquee item ids of the catalog, in movies.csv order


def export_training(ds: Dataset, split: Split, folder: Path) -> MarqueeExport:
    """Writes movies.csv (the whole catalog) and ratings.csv (the training rows) for Marquee's MovieLens import."""
    if ds.numeric_ids:
        user_number = np.array([int(u) for u in ds.user_ids], dtype=np.int64)
        item_number = np.array([int(i) for i in ds.item_ids], dtype=np.int64)
    else:
        user_number = np.arange(1, len(ds.user_ids) + 1, dtype=np.int64)
        item_number = np.arange(1, len(ds.item_ids) + 1, dtype=np.int64)
    catalog = {int(movie_id): meta for movie_id, meta in ds.catalog.items()}
    for index, number in enumerate(item_number):
        catalog.setdefault(int(number), (ds.item_ids[index], []))
    with open(folder / "movies.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["movieId", "title", "genres"])
        for number in sorted(catalog):
            title, genres = catalog[number]
            writer.writerow([number, title, "|".join(genres) if genres else NO_GENRES])
    rows = split.train
    seconds = np.floor(ds.times[rows]).astype(np.int64)
    users, items = ds.users[rows], ds.items[rows]
    with open(folder / "ratings.csv", "w", encoding="utf-8", newline="") as f:
        f.write("userId,movieId,rating,timestamp\n")
        f.writelines(f"{u},{m},{r:g},{s}\n" for u, m, r, s in
                     zip(user_number[users], item_number[items], ds.ratings[rows], seconds))
    distinct = np.unique(np.stack([users, items, seconds]), axis=1)
    expected = np.bincount(distinct[0], minlength=len(ds.user_ids))
    return MarqueeExport(folder, user_number, {int(n): i for i, n in enumerate(item_number)}, expected,
                         [f"ml-{n}" for n in sorted(catalog)])


def import_file(ingest: str, path: Path, endpoint: str) -> dict:
    """POSTs a CSV file streamed to ingest's /import/movielens/<endpoint>; prints and returns the report."""
    size = path.stat().st_size
    print(f"marquee: importing {path.name} ({size / 1e6:.1f} MB) -> {ingest}/import/movielens/{endpoint}")
    started = time.perf_counter()
    with open(path, "rb") as body:
        status, report = http_json("POST", f"{ingest}/import/movielens/{endpoint}", timeout=7200, body=body,
                                   headers={"Content-Type": "text/csv", "Content-Length": str(size)})
    print(f"marquee: {endpoint} import answered {status} in {time.perf_counter() - started:.1f} s: "
          f"{json.dumps(report)}")
    if status != 200 or not isinstance(report, dict):
        sys.exit(f"eval: the {endpoint} import failed (HTTP {status}); is the stack up (./marquee up)?")
    if report.get("rejected"):
        print(f"marquee: {report['rejected']:,} {endpoint} rows rejected; first errors:")
        for error in report.get("errors", [])[:10]:
            print(f"  line {error.get('line')}: {error.get('field')} {error.get('message')}")
    return report


def wait_for_features(ingest: str, export: MarqueeExport, deadline_s: float) -> bool:
    """Polls every user's features until each eventCount reaches the user's training events (the model is trained
    right after: on a stream half applied it would learn from another history each run); False at the deadline."""
    users = [u for u in range(len(export.expected_events)) if export.expected_events[u] > 0]
    deadline = time.monotonic() + deadline_s
    while True:
        behind = []
        for user in users:
            status, body = http_json("GET", f"{ingest}/users/ml-{export.user_number[user]}/features")
            count = body.get("eventCount", 0) if status == 200 and isinstance(body, dict) else 0
            if count < export.expected_events[user]:
                behind.append(user)
        print(f"marquee: features complete for {len(users) - len(behind):,} of {len(users):,} users")
        if not behind:
            return True
        if time.monotonic() > deadline:
            print(f"marquee: WARNING the stream consumer has not applied every rating after {deadline_s:.0f} s; "
                  "measuring anyway")
            return False
        users = behind
        time.sleep(POLL_SECONDS)


def embedded_items(embedding: str) -> int | None:
    """The embedding service's count of embedded items (GET /status -> items), None when it does not answer."""
    status, body = http_json("GET", f"{embedding}/status")
    return int(body["items"]) if status == 200 and isinstance(body, dict) and "items" in body else None


def wait_for_embeddings(embedding: str, before: int | None, movies: list, deadline_s: float) -> bool:
    """Waits until all `movies` are embedded more than `before`, or the count is steady and the first and last
    movie are embedded (a catalog imported before); False at the deadline."""
    deadline = time.monotonic() + deadline_s
    last, last_change = None, time.monotonic()
    while True:
        count = embedded_items(embedding)
        if count is None:
            print(f"marquee: WARNING {embedding}/status does not answer; not waiting for embeddings")
            return False
        if count != last:
            last, last_change = count, time.monotonic()
        grown = count - (before or 0)
        print(f"marquee: embedded items {count:,} (+{grown:,} of {len(movies):,} catalog items)")
        steady = time.monotonic() - last_change >= EMBEDDING_STABLE_SECONDS
        if grown >= len(movies) or (steady and all(
                http_json("GET", f"{embedding}/items/{m}")[0] == 200 for m in (movies[0], movies[-1]))):
            return True
        if time.monotonic() > deadline:
            print(f"marquee: WARNING the catalog is not embedded after {deadline_s:.0f} s; going on")
            return False
        time.sleep(POLL_SECONDS)


@dataclass
class MarqueeResult:
    """Marquee's lists (item indices, or codes >= number of items for items outside the data set) and serving stats."""
    lists: np.ndarray
    latencies_ms: np.ndarray
    degraded: int
    failed: int
    imports: dict                # endpoint -> the import's report

    @property
    def rejected(self) -> int:
        """Rows the imports rejected, movies and ratings together."""
        return sum(int(report.get("rejected", 0)) for report in self.imports.values())


def evaluate_marquee(ds: Dataset, split: Split, repo_root: Path, wait_s: float, timings: dict) -> MarqueeResult:
    """Imports the training split into the running stack, waits until it is applied, then asks /recommend.

    The catalog is embedded before the ratings go in: the stream consumer adds an item to a user's taste vector only
    when the item already has its vector (the simulator's start-up waits the same way)."""
    urls = service_urls(repo_root)
    print("marquee: " + " ".join(f"{k}={v}" for k, v in urls.items()))
    imports = {}
    with tempfile.TemporaryDirectory(prefix="marquee-eval-") as tmp:
        export = export_training(ds, split, Path(tmp))
        started = time.perf_counter()
        embedded_before = embedded_items(urls["EMBEDDING_URL"])
        imports["movies"] = import_file(urls["INGEST_URL"], export.folder / "movies.csv", "movies")
        wait_for_embeddings(urls["EMBEDDING_URL"], embedded_before, export.movies, wait_s)
        timings["marquee movies import + embedding"] = time.perf_counter() - started
        started = time.perf_counter()
        imports["ratings"] = import_file(urls["INGEST_URL"], export.folder / "ratings.csv", "ratings")
        wait_for_features(urls["INGEST_URL"], export, wait_s)
        timings["marquee ratings import + consumer"] = time.perf_counter() - started
    status, answer = http_json("POST", f"{urls['RANKING_URL']}/models/train", timeout=600)
    print(f"marquee: POST /models/train -> {status} {json.dumps(answer) if isinstance(answer, dict) else answer}")
    time.sleep(5)
    started = time.perf_counter()
    lists, latencies, degraded, failed = recommend_all(urls["GATEWAY_URL"], export, split, len(ds.item_ids))
    timings["marquee /recommend"] = time.perf_counter() - started
    return MarqueeResult(lists, latencies, degraded, failed, imports)


def recommend_all(gateway: str, export: MarqueeExport, split: Split, n_items: int) -> tuple:
    """GET /recommend?k=LIST_LENGTH for every evaluated user, one after the other, timing each.

    Returns (lists, latencies in ms, degraded answers, failed requests)."""
    lists = np.full((len(split.eval_users), LIST_LENGTH), -1, dtype=np.int64)
    outside = {}                 # Marquee item ids that are not in the data set -> codes from n_items up
    latencies, degraded, failed = [], 0, 0
    for row, user in enumerate(split.eval_users):
        url = f"{gateway}/recommend?userId=ml-{export.user_number[user]}&k={LIST_LENGTH}"
        started = time.perf_counter()
        status, body = http_json("GET", url)
        latencies.append((time.perf_counter() - started) * 1000.0)
        if status != 200 or not isinstance(body, dict):
            failed += 1
            continue
        degraded += bool(body.get("degraded"))
        codes = [item_code(str(item.get("itemId", "")), export.item_of_number, outside, n_items)
                 for item in body.get("items", [])[:LIST_LENGTH]]
        lists[row, :len(codes)] = codes
        if (row + 1) % 500 == 0:
            print(f"marquee: {row + 1:,}/{len(split.eval_users):,} users asked")
    return lists, np.array(latencies), degraded, failed


def item_code(item_id: str, item_of_number: dict, outside: dict, n_items: int) -> int:
    """The data set's item index for Marquee's 'ml-<n>', else a stable code >= n_items for that id."""
    if item_id.startswith("ml-") and item_id[3:].isdigit() and int(item_id[3:]) in item_of_number:
        return item_of_number[int(item_id[3:])]
    return outside.setdefault(item_id, n_items + len(outside))


# ------------------------------------------------------------------------------------------------------- report ---

def fmt(value: float) -> str:
    """Four decimals ('nan' when not measured)."""
    return f"{value:.4f}"


def print_report(results: dict, k: int, summary: dict, timings: dict, marquee: MarqueeResult | None) -> None:
    """The metrics table, data set and split sizes, serving figures and timings (not the final line)."""
    print()
    print(f"{'system':<14} {'HR@' + str(k):>8} {'NDCG@' + str(k):>8} {'Recall@50':>9} {'coverage':>8}")
    for name, m in results.items():
        print(f"{name:<14} {fmt(m['hr']):>8} {fmt(m['ndcg']):>8} {fmt(m['recall50']):>9} {fmt(m['coverage']):>8}")
    print()
    for line in summary["lines"]:
        print(line)
    if marquee is not None:
        lat = marquee.latencies_ms
        print(f"marquee: {len(lat):,} requests, p50 {np.percentile(lat, 50):.1f} ms, p99 {np.percentile(lat, 99):.1f} "
              f"ms, degraded {marquee.degraded:,}, failed {marquee.failed:,}, rejected import rows "
              f"{marquee.rejected:,} (movies {marquee.imports['movies'].get('rejected', 0):,}, "
              f"ratings {marquee.imports['ratings'].get('rejected', 0):,})")
    print("timings: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items()))


def describe(ds: Dataset, split: Split, n_train_items: int) -> dict:
    """Data set and split sizes, as figures and as printable lines."""
    n_items = len(ds.item_ids)
    train_keys = ds.users[split.train] * n_items + ds.items[split.train]
    in_history = int(np.isin(split.eval_users * n_items + split.held_out, train_keys).sum())
    trained = np.zeros(len(ds.item_ids), dtype=bool)
    trained[ds.items[split.train]] = True
    figures = {"source": ds.source, "layout": ds.layout, "interactions": int(len(ds.users)),
               "users": len(ds.user_ids), "items": len(ds.item_ids), "catalog": len(ds.catalog),
               "evaluated_users": int(len(split.eval_users)), "train_interactions": int(len(split.train)),
               "train_items": int(n_train_items), "held_out_not_in_training": int((~trained[split.held_out]).sum()),
               "held_out_already_in_history": int(in_history)}
    figures["lines"] = [
        f"dataset: {ds.source} ({ds.layout}): {figures['interactions']:,} interactions, {figures['users']:,} users, "
        f"{figures['items']:,} items interacted with, catalog {figures['catalog']:,} items with metadata",
        f"split: leave-last-out, {figures['evaluated_users']:,} users evaluated, training "
        f"{figures['train_interactions']:,} interactions over {n_train_items:,} items; held-out items never seen in "
        f"training {figures['held_out_not_in_training']:,}, already in the user's history {in_history:,}"]
    return figures


def main() -> None:
    """Parses the arguments, runs the evaluation and prints the report, last line the key=value summary."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path, help="MovieLens folder (ml-latest, ML-1M or ML-100k layout) or JSONL file")
    parser.add_argument("--marquee", action="store_true", help="also evaluate the running Marquee stack")
    parser.add_argument("--limit-users", type=int, default=None, help="evaluate a random sample of N users (seed 0)")
    parser.add_argument("--k", type=int, default=10, help="cut-off of HR, NDCG and coverage (default 10)")
    parser.add_argument("--json", type=Path, default=None, help="write all figures to this file")
    parser.add_argument("--wait", type=float, default=900.0,
                        help="--marquee: seconds to wait for the consumer, and again for the embeddings (default 900)")
    args = parser.parse_args()
    if not 1 <= args.k <= LIST_LENGTH:
        parser.error(f"--k must be between 1 and {LIST_LENGTH}")

    timings = {}
    run_started = started = time.perf_counter()
    ds = load_dataset(args.data)
    timings["load"] = time.perf_counter() - started
    started = time.perf_counter()
    split = leave_last_out(ds, args.limit_users)
    training = build_training(ds, split)
    timings["split + matrices"] = time.perf_counter() - started
    n_train_items = int(training.candidates.sum())
    summary = describe(ds, split, n_train_items)

    started = time.perf_counter()
    names, lists = evaluate_baselines(training, split, timings)
    timings["baselines total"] = time.perf_counter() - started
    results = {name: list_metrics(lists[name], split.held_out, args.k, n_train_items) for name in names}
    best = max(names, key=lambda n: (results[n]["hr"], results[n]["ndcg"]))

    marquee = None
    if args.marquee:
        marquee = evaluate_marquee(ds, split, Path(__file__).resolve().parents[2], args.wait, timings)
        results["marquee"] = list_metrics(marquee.lists, split.held_out, args.k, n_train_items)
    timings["total"] = time.perf_counter() - run_started
    print_report(results, args.k, summary, timings, marquee)

    nan = float("nan")
    m = results.get("marquee", {"hr": nan, "ndcg": nan, "recall50": nan, "coverage": nan})
    if args.json:
        figures = {"k": args.k, "dataset": {key: v for key, v in summary.items() if key != "lines"},
                   "systems": results, "best_baseline": best, "timings_s": timings}
        if marquee is not None:
            figures["marquee"] = {"latency_ms_p50": float(np.percentile(marquee.latencies_ms, 50)),
                                  "latency_ms_p99": float(np.percentile(marquee.latencies_ms, 99)),
                                  "degraded": marquee.degraded, "failed": marquee.failed,
                                  "rejected": marquee.rejected, "imports": marquee.imports}
        args.json.write_text(json.dumps(figures, indent=2, allow_nan=True) + "\n")
    print(f"users={len(split.eval_users)} hr{args.k}={fmt(m['hr'])} ndcg{args.k}={fmt(m['ndcg'])} "
          f"recall50={fmt(m['recall50'])} coverage={fmt(m['coverage'])} best_baseline={best} "
          f"best_baseline_hr{args.k}={fmt(results[best]['hr'])} rejected_items={marquee.rejected if marquee else 0}")


if __name__ == "__main__":
    main()
