#!/usr/bin/python3
# Figures from dlsim results: learning curves, the spectral-gap study, the
# accuracy/communication trade-off, heatmaps over two swept keys and lines of
# one final figure against another (e.g. accuracy against epsilon).
#
# It reads the files a run or a sweep writes (README.md, "Running an
# experiment" and "Sweeps"): a run folder holds metrics.csv and summary.json, a
# sweep folder holds runs.csv, sweep.json and one run folder per point. Every
# bad input ends with one line "plot.py: error: ..." on stderr and exit status 2.
# Tables are read with pandas and combined before any drawing, so a sweep of
# 1,000 points takes seconds.

import argparse
import json
import math
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display needed, none looked for

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import ticker  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

PROG = "plot.py"

# Statuses whose metrics are a whole run (stopped: a limit ended it early;
# stalled: no node could make progress any more, its curve ends there).
USABLE_STATUSES = ("completed", "stopped", "stalled")

X_COLUMNS = {"rounds": "round", "time": "time_s", "bits": "bits_sent", "bits-up": "bits_up"}
X_LABELS = {"rounds": "rounds", "time": "simulated time (s)", "bits": "bits sent (all nodes)",
            "bits-up": "bits sent by the clients (federated uplink)"}

# More legend entries than this are unreadable; the figure says how many lines it has.
LEGEND_LIMIT = 20
MARKERS = "osD^v<>pPX*h"
IMAGE_SUFFIXES = (".png", ".svg", ".pdf")


class PlotError(Exception):
    """A bad input: reported as one line and exit status 2."""


def note(message):
    print(f"{PROG}: note: {message}", file=sys.stderr)


# ---------------------------------------------------------------------------
# Reading results


class Run:
    """One run folder: its metrics, its summary and the legend group it belongs to.

    Runs with the same group differ only in repetition (seed) and are drawn as
    one line with a band.
    """

    def __init__(self, folder, group, summary, run_id):
        self.folder = Path(folder)
        self.group = group
        self.summary = summary
        self.id = run_id
        self.metrics = None

    @property
    def metrics_path(self):
        return self.folder / "metrics.csv"


class Sweep:
    """A sweep folder: runs.csv with its swept keys, restricted to usable points."""

    def __init__(self, folder, table, keys):
        self.folder = Path(folder)
        self.table = table  # rows of runs.csv whose status is usable
        self.keys = keys  # swept keys, as runs.csv names them

    @property
    def runs_csv(self):
        return self.folder / "runs.csv"


def is_run_folder(folder):
    return (folder / "metrics.csv").is_file() and (folder / "summary.json").is_file()


def is_sweep_folder(folder):
    return (folder / "runs.csv").is_file() and (folder / "sweep.json").is_file()


def check_folder(text):
    folder = Path(text)
    if not folder.exists():
        raise PlotError(f"{text}: no such folder")
    if not folder.is_dir():
        raise PlotError(f"{text}: not a folder")
    if is_sweep_folder(folder) or is_run_folder(folder):
        return folder
    if (folder / "sweep.json").is_file():
        raise PlotError(f"{text}: a sweep folder without runs.csv (unfinished, or sharded: "
                        f"run `dlsim sweep --merge {text}` first)")
    raise PlotError(f"{text}: neither a run folder (metrics.csv + summary.json) "
                    f"nor a sweep folder (runs.csv + sweep.json)")


def read_summary(path):
    try:
        with open(path, encoding="utf-8") as file:
            summary = json.load(file)
    except (OSError, ValueError) as error:
        raise PlotError(f"{path}: cannot read: {error}") from None
    if not isinstance(summary, dict):
        raise PlotError(f"{path}: not a dlsim summary (expected a JSON object)")
    return summary


def read_csv(path, **options):
    try:
        return pd.read_csv(path, **options)
    except (OSError, ValueError) as error:
        raise PlotError(f"{path}: cannot read: {error}") from None


def swept_keys(columns, path):
    """The runs.csv columns between `seed` and `status` are the swept keys."""
    names = list(columns)
    if "seed" not in names or "status" not in names or names.index("seed") > names.index("status"):
        raise PlotError(f"{path}: not a dlsim runs.csv (no `seed` ... `status` columns)")
    return names[names.index("seed") + 1:names.index("status")]


def read_sweep(folder):
    path = folder / "runs.csv"
    header = read_csv(path, nrows=0)
    keys = swept_keys(header.columns, path)
    # Swept values stay text, exactly as runs.csv writes them (0.10 is not 0.1 there).
    table = read_csv(path, dtype={key: str for key in keys + ["id", "status", "message"]},
                     keep_default_na=False, na_values={column: ["", "nan", "NaN"] for column in header.columns
                                                      if column not in keys + ["id", "status", "message"]})
    usable = table[table["status"].isin(USABLE_STATUSES)]
    left_out = table[~table["status"].isin(USABLE_STATUSES)]
    if usable.empty:
        counts = ", ".join(f"{status} {count}" for status, count in table["status"].value_counts().items())
        raise PlotError(f"{path}: no completed points ({counts or 'no rows'})")
    if not left_out.empty:
        counts = ", ".join(f"{status} {count}" for status, count in left_out["status"].value_counts().items())
        note(f"{path}: left out {len(left_out)} point(s) that did not complete ({counts})")
    return Sweep(folder, usable.reset_index(drop=True), keys)


def grouping_keys(keys):
    """Swept keys that tell points apart; a swept seed is a repetition, not a setting."""
    return [key for key in keys if key not in ("sweep.seed",)]


def labels_of(table, keys):
    """One legend label per row, e.g. "topology.kind=ring, compression.ratio=0.01"."""
    if not keys:
        return pd.Series(["all points"] * len(table), index=table.index)
    parts = [key + "=" + table[key].astype(str) for key in keys]
    label = parts[0]
    for part in parts[1:]:
        label = label + ", " + part
    return label


def point_folder(sweep_folder, point_id):
    """A point's folder: DIR/ID, or DIR/shard-k/ID after a merge of sharded folders."""
    folder = sweep_folder / point_id
    if folder.is_dir():
        return folder
    for candidate in sweep_folder.glob(f"*/{point_id}"):
        if candidate.is_dir():
            return candidate
    raise PlotError(f"{sweep_folder}: no folder for the point {point_id} listed in runs.csv")


def sweep_runs(sweep, prefix=""):
    labels = labels_of(sweep.table, grouping_keys(sweep.keys))
    runs = []
    for point_id, label in zip(sweep.table["id"], labels):
        folder = point_folder(sweep.folder, point_id)
        runs.append(Run(folder, prefix + label, None, point_id))
    return runs


def load_metrics(runs):
    for run in runs:
        run.metrics = read_csv(run.metrics_path)
        if "round" not in run.metrics.columns:
            raise PlotError(f"{run.metrics_path}: not a dlsim metrics.csv (no `round` column)")


def load_summaries(runs):
    for run in runs:
        if run.summary is None:
            run.summary = read_summary(run.folder / "summary.json")


def runs_of_folders(folders):
    """Every run in the given run and sweep folders; legends name the folder when there are several."""
    runs = []
    for folder in folders:
        prefix = f"{folder.name}: " if len(folders) > 1 else ""
        if is_sweep_folder(folder):
            runs += sweep_runs(read_sweep(folder), prefix)
        else:
            summary = read_summary(folder / "summary.json")
            runs.append(Run(folder, prefix + (folder.resolve().name or str(folder)), summary, folder.name))
    load_metrics(runs)
    return runs


def require_sweep(text):
    folder = check_folder(text)
    if not is_sweep_folder(folder):
        raise PlotError(f"{text}: a run folder; this figure needs a sweep folder (runs.csv + sweep.json)")
    return read_sweep(folder)


# ---------------------------------------------------------------------------
# Metrics


def missing_column(path, wanted, columns):
    return PlotError(f"{path}: no column {wanted}; it has: {', '.join(columns)}")


def accuracy_column(frames_and_paths):
    """test_accuracy where the runs have it, else train_accuracy."""
    for column in ("test_accuracy", "train_accuracy"):
        if all(column in frame.columns and frame[column].notna().any() for frame, _ in frames_and_paths):
            return column
    frame, path = next((frame, path) for frame, path in frames_and_paths
                       if not any(column in frame.columns and frame[column].notna().any()
                                  for column in ("test_accuracy", "train_accuracy")))
    raise missing_column(path, "`test_accuracy` or `train_accuracy` (only classifiers have them)", frame.columns)


def optimal_loss(summary):
    value = summary.get("optimal_loss") if summary else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def suboptimality(runs, f_star):
    """loss - f* per run; see choose f* in the README ("Plots")."""
    for run in runs:
        if "loss" not in run.metrics.columns and (f_star is not None or "suboptimality" not in run.metrics.columns):
            raise missing_column(run.metrics_path, "`loss`", run.metrics.columns)
    if f_star is not None:
        return [run.metrics["loss"] - f_star for run in runs]
    load_summaries(runs)
    values = [None] * len(runs)
    for i, run in enumerate(runs):
        if "suboptimality" in run.metrics.columns:
            values[i] = run.metrics["suboptimality"]
        elif optimal_loss(run.summary) is not None:
            values[i] = run.metrics["loss"] - optimal_loss(run.summary)
    if any(value is None for value in values):
        lowest = min(run.metrics["loss"].min() for run in runs if "loss" in run.metrics.columns)
        # Slightly below the best loss seen, so the best point stays on a log axis.
        estimate = lowest - 1e-12 * (abs(lowest) if lowest != 0 else 1.0)
        note(f"f* is not known (no --f-star, no optimal_loss in summary.json, no suboptimality column); "
             f"using the lowest loss over the plotted runs minus 1e-12 relative: f* = {estimate!r}")
        values = [value if value is not None else run.metrics["loss"] - estimate for value, run in zip(values, runs)]
    return values


def metric_series(runs, metric, f_star=None):
    """The metric's values per run (a list of Series aligned with each run's metrics) and its axis label."""
    if metric == "suboptimality":
        return suboptimality(runs, f_star), "suboptimality f(x̄) − f*"
    if metric == "accuracy":
        column = accuracy_column([(run.metrics, run.metrics_path) for run in runs])
        return [run.metrics[column] for run in runs], column.replace("_", " ")
    column = {"loss": "loss", "consensus": "consensus_distance", "error": "optimum_distance"}[metric]
    for run in runs:
        if column not in run.metrics.columns:
            raise missing_column(run.metrics_path, f"`{column}`", run.metrics.columns)
    label = {"loss": "loss f(x̄)", "consensus": "consensus distance (1/n) Σ‖x_i − x̄‖²",
             "error": "distance to the optimum (1/n) Σ‖x_i − x*‖²"}[metric]
    return [run.metrics[column] for run in runs], label


def check_x_column(runs, column):
    for run in runs:
        if column not in run.metrics.columns:
            raise missing_column(run.metrics_path, f"`{column}`", run.metrics.columns)


# ---------------------------------------------------------------------------
# Figures


def check_out(out):
    if Path(out).suffix.lower() not in IMAGE_SUFFIXES:
        raise PlotError(f"--out {out}: unknown image type (use .png, .svg or .pdf)")


def save(figure, out, dpi=150):
    path = Path(out)
    try:
        figure.savefig(path, dpi=dpi, bbox_inches="tight")
    except OSError as error:
        raise PlotError(f"--out {out}: cannot write: {error}") from None
    plt.close(figure)
    print(path)


def readable_log_ticks(axis, values):
    """Evenly spaced plain numbers on a log axis whose data holds no power of ten,
    where matplotlib's default labels overlap."""
    values = values[np.isfinite(values) & (values > 0)]
    if len(values) and np.floor(np.log10(values.min())) == np.floor(np.log10(values.max())):
        axis.set_major_locator(ticker.MaxNLocator(5))
        axis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:.4g}"))
        axis.set_minor_locator(ticker.NullLocator())


def line_colours(count):
    if count <= 10:
        return [plt.get_cmap("tab10")(i) for i in range(count)]
    return list(plt.get_cmap("viridis")(np.linspace(0, 0.95, count)))


def padded(columns_by_group, length):
    """Equal-length columns (NaN-padded) so that all lines go into one plot call."""
    out = np.full((length, len(columns_by_group)), np.nan)
    for i, column in enumerate(columns_by_group):
        out[:len(column), i] = column
    return out


def group_curves(runs, x_column, y_values):
    """Mean, min and max of x and y per legend group and evaluation round, over the group's seeds."""
    frames = [pd.DataFrame({"group": run.group, "round": run.metrics["round"].to_numpy(),
                            "x": run.metrics[x_column].to_numpy(dtype=float), "y": y.to_numpy(dtype=float)})
              for run, y in zip(runs, y_values)]
    table = pd.concat(frames, ignore_index=True)
    order = list(dict.fromkeys(run.group for run in runs))
    table["group"] = pd.Categorical(table["group"], categories=order, ordered=True)
    stats = table.groupby(["group", "round"], observed=True).agg(
        x=("x", "mean"), y=("y", "mean"), low=("y", "min"), high=("y", "max")).reset_index()
    seeds = pd.Series([run.group for run in runs]).value_counts()
    return stats, order, seeds


def curves_figure(args):
    folders = [check_folder(text) for text in args.dirs]
    runs = runs_of_folders(folders)
    x_column = X_COLUMNS[args.x]
    check_x_column(runs, x_column)
    y_values, y_label = metric_series(runs, args.y, args.f_star)
    stats, order, seeds = group_curves(runs, x_column, y_values)

    parts = [group_frame for _, group_frame in stats.groupby("group", observed=True, sort=True)]
    length = max(len(part) for part in parts)
    figure, axes = plt.subplots(figsize=(8, 5), layout="constrained")
    axes.set_prop_cycle(color=line_colours(len(parts)))
    lines = axes.plot(padded([part["x"] for part in parts], length), padded([part["y"] for part in parts], length),
                      linewidth=1.4)
    banded = [i for i, group in enumerate(order) if seeds[group] > 1]
    if banded:
        # One collection for every band: min..max over the group's seeds.
        polygons = [np.column_stack([np.concatenate([parts[i]["x"], parts[i]["x"][::-1]]),
                                     np.concatenate([parts[i]["high"], parts[i]["low"][::-1]])]) for i in banded]
        bands = PolyCollection(polygons, facecolors=[lines[i].get_color() for i in banded], alpha=0.2,
                               edgecolors="none")
        axes.add_collection(bands, autolim=True)
        axes.autoscale_view()
    for line, group in zip(lines, order):
        line.set_label(group + (f" ({seeds[group]} seeds)" if seeds[group] > 1 else ""))
    if args.log:
        axes.set_yscale("log")
    if args.logx:
        axes.set_xscale("log")
    if args.ymax is not None:
        # A diverging line would squash the others: the axis stops at ymax and the title names what left it.
        above = [group for group, part in zip(order, parts) if (part["y"] > args.ymax).any()]
        low = axes.get_ylim()[0]
        if not low < args.ymax:
            raise PlotError(f"--ymax {args.ymax:g}: not above the lowest value drawn ({low:g})")
        axes.set_ylim(low, args.ymax)
    axes.set_xlabel(X_LABELS[args.x])
    axes.set_ylabel(y_label)
    title = f"{y_label} against {X_LABELS[args.x]}"
    if banded:
        title += "\nrepeated seeds: line = mean, band = min..max"
    if args.ymax is not None and above:
        title += f"\n{len(above)} line(s) leave the axis above {args.ymax:g}"
    if len(lines) > LEGEND_LIMIT:
        title += f"\n{len(lines)} lines (legend left out)"
    else:
        axes.legend(fontsize="small")
    axes.set_title(title, fontsize="medium")
    axes.grid(True, which="both", alpha=0.3)
    return figure


# --- spectral gap ----------------------------------------------------------


def topology_name(summary):
    """The graph kind, or the graph file's name for kind = "file"."""
    topology = summary.get("scenario", {}).get("topology", {}) if isinstance(summary.get("scenario"), dict) else {}
    kind = topology.get("kind", "?")
    if kind == "file" and topology.get("file"):
        return os.path.basename(str(topology["file"]))
    return str(kind)


def compression_groups(sweep):
    # "compression" itself when whole [compression] tables were swept.
    keys = [key for key in sweep.keys if key == "compression" or key.startswith("compression.")]
    if not keys:
        return pd.Series(["compression not swept"] * len(sweep.table), index=sweep.table.index)
    return labels_of(sweep.table, keys)


def spectral_gaps(runs):
    gaps = []
    for run in runs:
        topology = run.summary.get("topology", {})
        value = topology.get("spectral_gap") if isinstance(topology, dict) else None
        gaps.append(float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan)
    return np.array(gaps)


def first_reaching(runs, values, target):
    """Per run: the first evaluation with value <= target (round, time_s, bits_sent), NaN where never."""
    check_x_column(runs, "time_s")
    check_x_column(runs, "bits_sent")
    frames = [pd.DataFrame({"run": i, "value": values[i].to_numpy(dtype=float),
                            "round": run.metrics["round"].to_numpy(dtype=float),
                            "time_s": run.metrics["time_s"].to_numpy(dtype=float),
                            "bits_sent": run.metrics["bits_sent"].to_numpy(dtype=float)})
              for i, run in enumerate(runs)]
    table = pd.concat(frames, ignore_index=True)
    reached = table[table["value"] <= target].groupby("run").first()
    return reached.reindex(range(len(runs)))[["round", "time_s", "bits_sent"]]


def id_list(ids, shown=20):
    ids = list(ids)
    return ", ".join(ids[:shown]) + (f" and {len(ids) - shown} more" if len(ids) > shown else "")


def loglog_slope(x, y):
    """Least-squares line of log y against log x: (slope, intercept)."""
    return np.polyfit(np.log(x), np.log(y), 1)


GAP_PANELS = (("round", "rounds to target"), ("time_s", "simulated time to target (s)"),
              ("bits_sent", "bits sent to target"))
GAP_PANEL_NAMES = {"round": "rounds", "time_s": "time", "bits_sent": "bits"}  # as the slope lines name them


def gap_table(args):
    sweep = require_sweep(args.sweepdir)
    runs = sweep_runs(sweep)
    load_metrics(runs)
    load_summaries(runs)
    values, metric_label = metric_series(runs, args.metric, args.f_star)
    table = first_reaching(runs, values, args.target)
    table["inverse_gap"] = 1.0 / spectral_gaps(runs)
    table["topology"] = [topology_name(run.summary) for run in runs]
    table["compression"] = compression_groups(sweep).to_numpy()
    table["setting"] = [run.group for run in runs]
    table["id"] = [run.id for run in runs]

    never = table[table["round"].isna()]
    if not never.empty:
        note(f"{len(never)} point(s) never reach {args.metric} <= {args.target:g}, left out: "
             + id_list(never["id"]))
    no_gap = table[table["round"].notna() & ~np.isfinite(table["inverse_gap"])]
    if not no_gap.empty:
        note(f"{len(no_gap)} point(s) have no spectral_gap in summary.json (over 4096 nodes, "
             f"or disconnected), left out: " + id_list(no_gap["id"]))
    table = table[table["round"].notna() & np.isfinite(table["inverse_gap"])]
    at_start = table[table["round"] <= 0]
    if not at_start.empty:
        # Zero rounds (and seconds and bits) have no place on a log axis.
        note(f"{len(at_start)} point(s) meet the target at round 0, left out: " + id_list(at_start["id"]))
        table = table[table["round"] > 0]
    if table.empty:
        raise PlotError(f"{sweep.runs_csv}: no point to draw: none reaches {args.metric} <= {args.target:g} "
                        f"after round 0 with a known spectral gap")
    # Repeated seeds: one figure per setting (the swept values without the repetition).
    averaged = table.groupby("setting", sort=False).agg(
        inverse_gap=("inverse_gap", "mean"), round=("round", "mean"), time_s=("time_s", "mean"),
        bits_sent=("bits_sent", "mean"), topology=("topology", "first"), compression=("compression", "first"))
    return averaged, metric_label


def parse_predictions(specs, groups):
    """--predict TEXT=SLOPE[,PREFACTOR]: (group, slope, prefactor or None) for each group whose label contains TEXT."""
    predictions = []
    for spec in specs or []:
        text, _, numbers = spec.rpartition("=")
        try:
            values = [float(value) for value in numbers.split(",")]
        except ValueError:
            values = []
        if not text or len(values) not in (1, 2) or not all(math.isfinite(v) for v in values) \
                or (len(values) == 2 and values[1] <= 0):
            raise PlotError(f"--predict {spec}: expected TEXT=SLOPE or TEXT=SLOPE,PREFACTOR (PREFACTOR > 0)")
        matched = [group for group in groups if text in group]
        if not matched:
            raise PlotError(f"--predict {spec}: no compression setting contains `{text}`; they are: "
                            + "; ".join(groups))
        predictions += [(group, values[0], values[1] if len(values) == 2 else None) for group in matched]
    return predictions


def predicted_line(axes, points, group, slope, prefactor, colour):
    """The theory's rounds = PREFACTOR (1/gap)^SLOPE, dashed; without a prefactor, through the points' centre."""
    x_points = points["inverse_gap"].to_numpy()
    y_points = points["round"].to_numpy()
    if prefactor is None:
        prefactor = math.exp(np.mean(np.log(y_points)) - slope * np.mean(np.log(x_points)))
        print(f"predicted {group} [rounds]: slope {slope:g} (prefactor fitted: {prefactor:.4g})")
    else:
        ratio = math.exp(np.mean(np.log(y_points / (prefactor * x_points ** slope))))
        print(f"predicted {group} [rounds]: slope {slope:g}, prefactor {prefactor:g}; "
              f"measured / predicted {ratio:.4f}")
    x = np.geomspace(x_points.min(), x_points.max(), 50)
    axes.plot(x, prefactor * x ** slope, color=colour, linewidth=1.5, linestyle="--",
              label=f"predicted slope {slope:g}")


def gap_figure(args):
    table, metric_label = gap_table(args)
    compressions = list(dict.fromkeys(table["compression"]))
    predictions = parse_predictions(args.predict, compressions)
    topologies = list(dict.fromkeys(table["topology"]))
    colours = dict(zip(compressions, line_colours(len(compressions))))
    markers = {topology: MARKERS[i % len(MARKERS)] for i, topology in enumerate(topologies)}

    figure, panels = plt.subplots(1, 3, figsize=(16, 5), layout="constrained")
    for axes, (column, label) in zip(panels, GAP_PANELS):
        for (topology, compression), points in table.groupby(["topology", "compression"], sort=False):
            axes.scatter(points["inverse_gap"], points[column], marker=markers[topology], color=colours[compression],
                         s=40, zorder=3)
        for compression, points in table.groupby("compression", sort=False):
            fit_line(axes, points, column, compression, colours[compression], label)
        if column == "round":
            for group, slope, prefactor in predictions:
                predicted_line(axes, table[table["compression"] == group], group, slope, prefactor, colours[group])
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("1 / spectral gap")
        axes.set_ylabel(label)
        axes.grid(True, which="both", alpha=0.3)
        if axes.get_legend_handles_labels()[0]:
            axes.legend(fontsize="small")
    add_key(panels[-1], markers, colours)
    figure.suptitle(f"first evaluation with {metric_label} ≤ {args.target:g}; repeated seeds averaged; "
                    f"lines: least-squares fits in log-log space"
                    + ("; dashed: predicted" if predictions else ""), fontsize="medium")
    return figure


def fit_line(axes, points, column, compression, colour, label):
    if points["inverse_gap"].nunique() < 2:
        note(f"{compression}: one spectral gap only, no fit for {label}")
        return
    slope, intercept = loglog_slope(points["inverse_gap"].to_numpy(), points[column].to_numpy())
    slope = 0.0 if abs(slope) < 5e-10 else slope  # rounding noise would print as "-0.000000000"
    print(f"slope {compression} [{GAP_PANEL_NAMES[column]}]: {slope:.9f}")
    x = np.geomspace(points["inverse_gap"].min(), points["inverse_gap"].max(), 50)
    axes.plot(x, np.exp(intercept) * x ** slope, color=colour, linewidth=1, label=f"slope {slope:.3g}")



def add_key(axes, markers, colours):
    """A legend right of the panels: marker = topology, colour = compression setting."""
    handles, labels = [], []
    for topology, marker in markers.items():
        handles.append(plt.Line2D([], [], linestyle="", marker=marker, color="grey"))
        labels.append(topology)
    for compression, colour in colours.items():
        handles.append(plt.Line2D([], [], linestyle="", marker="s", color=colour))
        labels.append(compression)
    if len(labels) <= 3 * LEGEND_LIMIT:
        if axes.get_legend() is not None:
            axes.add_artist(axes.get_legend())  # keep the panel's own legend (fits, front)
        axes.legend(handles, labels, fontsize="small", loc="center left", bbox_to_anchor=(1.03, 0.5))


# --- trade-off -------------------------------------------------------------


def final_metric(sweep, metric):
    table = sweep.table
    if metric == "loss":
        candidates = ["loss"]
    else:
        candidates = [column for column in ("test_accuracy", "train_accuracy")
                      if column in table.columns and table[column].notna().any()]
    if not candidates or candidates[0] not in table.columns:
        wanted = "`loss`" if metric == "loss" else "`test_accuracy` or `train_accuracy` (only classifiers have them)"
        raise missing_column(sweep.runs_csv, wanted, table.columns)
    return candidates[0]


def pareto_front(x, y, maximise):
    """The best y reached for at most each x: a staircase through the non-dominated points."""
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    best = np.maximum.accumulate(ys) if maximise else np.minimum.accumulate(ys)
    improves = np.concatenate([[True], best[1:] != best[:-1]])
    return xs[improves], best[improves]


def tradeoff_figure(args):
    sweep = require_sweep(args.sweepdir)
    column = final_metric(sweep, args.metric)
    for needed in ("bits_sent", "time_s"):
        if needed not in sweep.table.columns:
            raise missing_column(sweep.runs_csv, f"`{needed}`", sweep.table.columns)
    runs = sweep_runs(sweep)
    load_summaries(runs)
    table = sweep.table.assign(topology=[topology_name(run.summary) for run in runs],
                               compression=compression_groups(sweep).to_numpy())
    table = table[np.isfinite(table[column].astype(float))]
    if table.empty:
        raise PlotError(f"{sweep.runs_csv}: no point has a final `{column}`")
    compressions = list(dict.fromkeys(table["compression"]))
    topologies = list(dict.fromkeys(table["topology"]))
    colours = dict(zip(compressions, line_colours(len(compressions))))
    markers = {topology: MARKERS[i % len(MARKERS)] for i, topology in enumerate(topologies)}
    maximise = args.metric == "accuracy"

    figure, panels = plt.subplots(1, 2, figsize=(13, 5), layout="constrained")
    for axes, (x_column, x_label) in zip(panels, (("bits_sent", "total bits sent"),
                                                  ("time_s", "simulated time (s)"))):
        for (topology, compression), points in table.groupby(["topology", "compression"], sort=False):
            axes.scatter(points[x_column], points[column], marker=markers[topology], color=colours[compression],
                         s=36, zorder=3)
        front_x, front_y = pareto_front(table[x_column].to_numpy(float), table[column].to_numpy(float), maximise)
        axes.step(front_x, front_y, where="post", color="black", linewidth=1, label="Pareto front")
        axes.set_xscale("log")
        readable_log_ticks(axes.xaxis, table[x_column].to_numpy(float))
        axes.legend(fontsize="small")
        axes.set_xlabel(x_label)
        axes.set_ylabel("final " + column.replace("_", " "))
        axes.grid(True, which="both", alpha=0.3)
    add_key(panels[-1], markers, colours)
    figure.suptitle(f"final {column.replace('_', ' ')} against communication and time; one marker per point; "
                    f"front: best {'(highest)' if maximise else '(lowest)'} value for at most that cost",
                    fontsize="medium")
    return figure


# --- heatmap ---------------------------------------------------------------


def check_key(sweep, option, key):
    if key not in sweep.keys:
        raise PlotError(f"{option} {key}: not a swept key of {sweep.runs_csv}; swept keys: "
                        + (", ".join(sweep.keys) or "none"))


def heatmap_table(sweep, rows, cols, value, facets=(), table=None):
    """The grid of mean `value` over rows x cols, from `table` (default: every completed point)."""
    check_key(sweep, "--rows", rows)
    check_key(sweep, "--cols", cols)
    if rows == cols:
        raise PlotError(f"--rows and --cols are both {rows}: give two different swept keys")
    for facet in facets:
        check_key(sweep, "--facet", facet)
        if facet in (rows, cols) or list(facets).count(facet) > 1:
            raise PlotError(f"--facet {facet}: already a row, column or facet key; give another swept key")
    full = sweep.table
    table = full if table is None else table
    numeric = [column for column in full.columns
               if column not in sweep.keys and column not in ("id", "status", "message")
               and pd.api.types.is_numeric_dtype(full[column])]
    if value not in full.columns or value not in numeric:
        raise PlotError(f"--value {value}: not a numeric column of {sweep.runs_csv}; numeric columns: "
                        + ", ".join(numeric))
    grid = table.pivot_table(index=rows, columns=cols, values=value, aggfunc="mean", sort=False)
    # Rows and columns in the order the sweep lists their values (every panel alike).
    return grid.reindex(index=list(dict.fromkeys(full[rows])), columns=list(dict.fromkeys(full[cols])))


def heatmap_panels(sweep, rows, cols, value, facets=()):
    """[(title, grid)] per combination of the facet keys' values, the first facet varying fastest."""
    heatmap_table(sweep, rows, cols, value, facets)  # checks the keys and the value
    table = sweep.table
    others = [key for key in sweep.keys if key not in (rows, cols, *facets) and table[key].nunique() > 1]
    repeated = table["repetition"].nunique() > 1 if "repetition" in table.columns else False
    if others or repeated:
        note("each cell averages over " + ", ".join((["repetitions"] if repeated else []) + others))
    if not facets:
        return [("", heatmap_table(sweep, rows, cols, value))]
    levels = [list(dict.fromkeys(table[facet])) for facet in facets]
    panels = []
    for outer in (levels[1] if len(facets) > 1 else [None]):
        for inner in levels[0]:
            subset = table[table[facets[0]] == inner]
            title = f"{facets[0]} = {inner}"
            if outer is not None:
                subset = subset[subset[facets[1]] == outer]
                title = f"{facets[1]} = {outer}, " + title
            panels.append((title, heatmap_table(sweep, rows, cols, value, facets, subset)))
    return panels


def heatmap_figure(args):
    sweep = require_sweep(args.sweepdir)
    facets = args.facet or []
    if len(facets) > 2:
        raise PlotError(f"--facet given {len(facets)} times: at most two (panel columns, then panel rows)")
    panels = heatmap_panels(sweep, args.rows, args.cols, args.value, facets)
    panel_columns = len(dict.fromkeys(sweep.table[facets[0]])) if facets else 1
    panel_rows = len(panels) // panel_columns
    grid = panels[0][1]
    everything = np.concatenate([panel.to_numpy(dtype=float).ravel() for _, panel in panels])
    finite = everything[np.isfinite(everything)]
    if args.log:
        if (finite <= 0).any():
            raise PlotError(f"--log: {args.value} has values <= 0 (a logarithmic colour scale needs positive ones)")
        finite = finite if finite.size else np.array([1.0, 10.0])
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    middle = np.sqrt(low * high) if args.log else (low + high) / 2
    # Wide sweeps get a capped figure with turned column labels rather than a wall of overlapping text.
    width = min((1.2 * len(grid.columns) + 1.5) * panel_columns + 1.5, 30)
    height = min((0.6 * len(grid.index) + 1.5) * panel_rows + 1, 24)
    figure, axes_grid = plt.subplots(panel_rows, panel_columns, figsize=(width, height), layout="constrained",
                                     squeeze=False, sharex=True, sharey=True)
    small = len(grid.columns) <= 12 and panel_columns <= 2
    for (title, panel), axes in zip(panels, axes_grid.ravel()):
        values = panel.to_numpy(dtype=float)
        # A logarithmic scale for values spanning decades (e.g. times that grow as n^2).
        norm = matplotlib.colors.LogNorm(vmin=low, vmax=high) if args.log else \
            matplotlib.colors.Normalize(vmin=low, vmax=high)
        image = axes.imshow(np.ma.masked_invalid(values), cmap="viridis", aspect="auto", norm=norm)
        axes.set_xticks(range(len(panel.columns)), labels=panel.columns,
                        rotation=90 if len(panel.columns) > 8 or panel_columns > 2 else 0)
        axes.set_yticks(range(len(panel.index)), labels=panel.index)
        for (row, col), cell in np.ndenumerate(values):
            axes.text(col, row, "—" if np.isnan(cell) else f"{cell:.{3 if facets else 4}g}", ha="center", va="center",
                      fontsize="small" if small else 6, rotation=90 if len(panel.columns) > 20 else 0,
                      color="white" if cell < middle else "black")
        if title:
            axes.set_title(title, fontsize="medium")
    for axes in axes_grid[-1]:
        axes.set_xlabel(args.cols)
    for axes in axes_grid[:, 0]:
        axes.set_ylabel(args.rows)
    figure.colorbar(image, ax=axes_grid, label=args.value)
    figure.suptitle(f"final {args.value} (mean over the points of each cell)", fontsize="medium")
    return figure


# --- lines -----------------------------------------------------------------


def numeric_values(sweep, option, name):
    """A numeric runs.csv column, or a swept key whose values are numbers, as floats."""
    table = sweep.table
    if name not in table.columns:
        raise PlotError(f"{option} {name}: not a column of {sweep.runs_csv}; it has: " + ", ".join(table.columns))
    values = pd.to_numeric(table[name], errors="coerce")
    if values.isna().all():
        raise PlotError(f"{option} {name}: has no numeric values in {sweep.runs_csv}")
    return values.astype(float)


def lines_table(sweep, x, y, groups=(), facet=None):
    """One row per setting (the swept values other than the seed): mean x and y over its repetitions,
    with the line (the --group values) and panel (the --facet value) it belongs to."""
    for key in groups:
        check_key(sweep, "--group", key)
    if facet is not None:
        check_key(sweep, "--facet", facet)
        if facet in groups:
            raise PlotError(f"--facet {facet}: already a --group key; give another swept key")
    table = sweep.table.assign(_x=numeric_values(sweep, "--x", x), _y=numeric_values(sweep, "--y", y))
    table = table[np.isfinite(table["_x"]) & np.isfinite(table["_y"])]
    if table.empty:
        raise PlotError(f"{sweep.runs_csv}: no completed point has finite `{x}` and `{y}`")
    settings = [key for key in grouping_keys(sweep.keys)] or ["status"]
    points = table.groupby(settings, sort=False).agg(x=("_x", "mean"), y=("_y", "mean"),
                                                      low=("_y", "min"), high=("_y", "max")).reset_index()
    points["line"] = labels_of(points, list(groups)) if groups else "all points"
    points["panel"] = (facet + " = " + points[facet].astype(str)) if facet else ""
    # Lines and panels in the order the sweep lists their values, markers along x.
    points["_line"] = points["line"].map({line: i for i, line in enumerate(dict.fromkeys(points["line"]))})
    points["_panel"] = points["panel"].map({panel: i for i, panel in enumerate(dict.fromkeys(points["panel"]))})
    points = points.sort_values(["_panel", "_line", "x"], kind="stable").reset_index(drop=True)
    return points.drop(columns=["_line", "_panel"])


def lines_figure(args):
    sweep = require_sweep(args.sweepdir)
    points = lines_table(sweep, args.x, args.y, args.group or [], args.facet)
    panels = list(dict.fromkeys(points["panel"]))
    lines = list(dict.fromkeys(points["line"]))
    colours = dict(zip(lines, line_colours(len(lines))))
    figure, axes_row = plt.subplots(1, len(panels), figsize=(6 * len(panels) + 1, 4.8), layout="constrained",
                                    squeeze=False, sharey=True)
    for axes, panel in zip(axes_row[0], panels):
        for index, line in enumerate(lines):
            part = points[(points["panel"] == panel) & (points["line"] == line)]
            if part.empty:
                continue
            axes.plot(part["x"], part["y"], marker=MARKERS[index % len(MARKERS)], color=colours[line], label=line)
            if (part["high"] > part["low"]).any():
                axes.fill_between(part["x"], part["low"], part["high"], color=colours[line], alpha=0.15,
                                  linewidth=0)
        if args.logx:
            axes.set_xscale("log")
            readable_log_ticks(axes.xaxis, points["x"].to_numpy(float))
        if args.logy:
            axes.set_yscale("log")
        axes.set_xlabel(args.x)
        axes.grid(True, which="both", alpha=0.3)
        if panel:
            axes.set_title(panel, fontsize="medium")
        if len(lines) <= LEGEND_LIMIT:
            axes.legend(fontsize="small")
    axes_row[0][0].set_ylabel(args.y)
    repeated = "repetition" in sweep.table.columns and sweep.table["repetition"].nunique() > 1
    figure.suptitle(f"final {args.y} against {args.x}; one marker per setting"
                    + ("; mean over seeds, band from the lowest to the highest" if repeated else ""),
                    fontsize="medium")
    return figure


# ---------------------------------------------------------------------------
# Command line


class Parser(argparse.ArgumentParser):
    """argparse, but its errors are one line like every other error here."""

    def error(self, message):
        print(f"{PROG}: error: {message} (see `{self.prog} --help`)", file=sys.stderr)
        sys.exit(2)


def add_f_star(parser):
    parser.add_argument("--f-star", type=float, metavar="VALUE",
                        help="optimal loss f* for suboptimality = loss - f*; default: summary.json's optimal_loss, "
                             "a metrics.csv column `suboptimality`, else the lowest loss plotted minus 1e-12 relative")


def build_parser():
    parser = Parser(prog=PROG, description="Figures from dlsim results (run folders and sweep folders).",
                    epilog="Units: rounds are training rounds; time is simulated seconds (metrics.csv time_s); "
                           "bits are all bits sent by all nodes (bits_sent). Errors: one line on stderr, exit 2.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)

    curves = commands.add_parser(
        "curves", help="a metric against rounds, simulated time or bits, one line per run or sweep point",
        description="One line per run, or per sweep point; points that differ only in repetition (seed) make one "
                    "line, their mean, with a band from the minimum to the maximum over the seeds.")
    curves.add_argument("dirs", nargs="+", metavar="DIR", help="run folder (metrics.csv + summary.json) or sweep "
                        "folder (runs.csv + sweep.json + a folder per point)")
    curves.add_argument("--x", choices=list(X_COLUMNS), default="rounds",
                        help="rounds (metrics.csv round), time (time_s: simulated seconds), bits (bits_sent: "
                             "all nodes so far) or bits-up (bits_up: what the federated clients sent so far); "
                             "default rounds")
    curves.add_argument("--y", choices=["loss", "suboptimality", "accuracy", "consensus", "error"], default="loss",
                        help="loss (at the average model), suboptimality (loss - f*), accuracy (test_accuracy, "
                             "else train_accuracy, as a fraction), consensus (consensus_distance), error "
                             "(optimum_distance: (1/n) sum ||x_i - x*||^2, for average consensus the error to the "
                             "true average); default loss")
    curves.add_argument("--log", action="store_true", help="logarithmic y axis")
    curves.add_argument("--logx", action="store_true", help="logarithmic x axis")
    curves.add_argument("--ymax", type=float, metavar="VALUE",
                        help="top of the y axis: lines above it (e.g. a diverging run) leave the figure, and the "
                             "title counts them")
    add_f_star(curves)
    curves.add_argument("--dpi", type=int, default=150, help="resolution of a .png (default 150)")
    curves.add_argument("--out", default="plot-curves.png", metavar="FILE",
                        help="image file, .png, .svg or .pdf (default plot-curves.png)")
    curves.set_defaults(figure=curves_figure)

    gap = commands.add_parser(
        "gap", help="rounds, time and bits to a target against 1/spectral gap (log-log, fitted slopes)",
        description="For each sweep point, the first evaluation where the metric is at most the target gives "
                    "rounds, simulated seconds and bits sent to target; they are drawn against 1/spectral_gap "
                    "(summary.json topology.spectral_gap), log-log, one marker per topology and one colour per "
                    "compression setting, repeated seeds averaged. A least-squares line in log-log space is "
                    "fitted per compression setting and its slope printed as `slope GROUP [rounds|time|bits]: "
                    "VALUE`. Points that never reach the target are listed on stderr.")
    gap.add_argument("sweepdir", metavar="SWEEPDIR", help="sweep folder (runs.csv + sweep.json)")
    gap.add_argument("--target", type=float, required=True, metavar="VALUE",
                     help="the metric's target value, in the metric's units")
    gap.add_argument("--metric", choices=["suboptimality", "loss", "consensus", "error"], default="suboptimality",
                     help="suboptimality (loss - f*), loss or consensus (consensus_distance); default suboptimality")
    gap.add_argument("--predict", action="append", metavar="TEXT=SLOPE[,PREFACTOR]",
                     help="draw the theory's rounds = PREFACTOR (1/gap)^SLOPE (dashed, rounds panel) for each "
                          "compression setting whose label contains TEXT, and print it next to the fit "
                          "(`predicted GROUP [rounds]: ...`, with measured / predicted when PREFACTOR is given; "
                          "without it the line goes through the points' centre); repeatable")
    add_f_star(gap)
    gap.add_argument("--dpi", type=int, default=150, help="resolution of a .png (default 150)")
    gap.add_argument("--out", default="plot-gap.png", metavar="FILE",
                     help="image file, .png, .svg or .pdf (default plot-gap.png)")
    gap.set_defaults(figure=gap_figure)

    tradeoff = commands.add_parser(
        "tradeoff", help="final accuracy or loss against total bits and simulated time, with the Pareto front",
        description="One marker per sweep point (from runs.csv: the final figures), colour = compression setting, "
                    "shape = topology; left: against total bits sent, right: against simulated seconds, log x. "
                    "The step line is the Pareto front: the best value reached for at most that cost.")
    tradeoff.add_argument("sweepdir", metavar="SWEEPDIR", help="sweep folder (runs.csv + sweep.json)")
    tradeoff.add_argument("--metric", choices=["accuracy", "loss"], default="accuracy",
                          help="accuracy (test_accuracy, else train_accuracy) or loss; default accuracy")
    tradeoff.add_argument("--dpi", type=int, default=150, help="resolution of a .png (default 150)")
    tradeoff.add_argument("--out", default="plot-tradeoff.png", metavar="FILE",
                          help="image file, .png, .svg or .pdf (default plot-tradeoff.png)")
    tradeoff.set_defaults(figure=tradeoff_figure)

    heatmap = commands.add_parser(
        "heatmap", help="a table of a final figure over two swept keys",
        description="Rows and columns are the values of two swept keys; each cell is the final METRIC (a numeric "
                    "runs.csv column) averaged over repetitions and over any other swept key that is not a facet "
                    "(stderr says which). --facet KEY draws one panel per value of a third key (twice: a grid).")
    heatmap.add_argument("sweepdir", metavar="SWEEPDIR", help="sweep folder (runs.csv + sweep.json)")
    heatmap.add_argument("--rows", required=True, metavar="KEY", help="swept key for the rows, e.g. topology.kind")
    heatmap.add_argument("--cols", required=True, metavar="KEY", help="swept key for the columns")
    heatmap.add_argument("--value", required=True, metavar="METRIC",
                         help="numeric runs.csv column, e.g. loss, test_accuracy, bits_sent, time_s")
    heatmap.add_argument("--log", action="store_true", help="logarithmic colour scale (positive values only)")
    heatmap.add_argument("--facet", action="append", metavar="KEY",
                         help="swept key: one panel per value, on a shared colour scale; give it twice for a "
                              "grid of panels (the first across, the second down)")
    heatmap.add_argument("--dpi", type=int, default=150, help="resolution of a .png (default 150)")
    heatmap.add_argument("--out", default="plot-heatmap.png", metavar="FILE",
                         help="image file, .png, .svg or .pdf (default plot-heatmap.png)")
    heatmap.set_defaults(figure=heatmap_figure)

    lines = commands.add_parser(
        "lines", help="a final figure against another (or a swept key), one line per value of --group keys",
        description="One marker per setting of the sweep (its swept values; repetitions averaged, with a band "
                    "from the lowest to the highest seed), at the mean of two runs.csv columns, e.g. final "
                    "test_accuracy against epsilon; markers that share the values of the --group keys are "
                    "joined in order of x; --facet KEY draws one panel per value of a swept key.")
    lines.add_argument("sweepdir", metavar="SWEEPDIR", help="sweep folder (runs.csv + sweep.json)")
    lines.add_argument("--x", required=True, metavar="COLUMN",
                       help="numeric runs.csv column or swept key with numeric values, e.g. epsilon")
    lines.add_argument("--y", required=True, metavar="COLUMN", help="numeric runs.csv column, e.g. test_accuracy")
    lines.add_argument("--group", action="append", metavar="KEY",
                       help="swept key: one line per value (repeatable); none: one line through all points")
    lines.add_argument("--facet", metavar="KEY", help="swept key: one panel per value")
    lines.add_argument("--logx", action="store_true", help="logarithmic x axis")
    lines.add_argument("--logy", action="store_true", help="logarithmic y axis")
    lines.add_argument("--dpi", type=int, default=150, help="resolution of a .png (default 150)")
    lines.add_argument("--out", default="plot-lines.png", metavar="FILE",
                       help="image file, .png, .svg or .pdf (default plot-lines.png)")
    lines.set_defaults(figure=lines_figure)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        check_out(args.out)  # before reading anything
        save(args.figure(args), args.out, args.dpi)
    except PlotError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
