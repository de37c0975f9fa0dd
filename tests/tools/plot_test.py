# Tests of tools/plot.py on small result folders written here, in the formats
# README.md describes (metrics.csv, summary.json, runs.csv, sweep.json), so they
# need no dlsim build. Run: /usr/bin/python3 -m unittest plot_test (from this folder).

import contextlib
import csv
import importlib.util
import io
import json
import math
import re
import subprocess
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLOT_PATH = ROOT / "tools" / "plot.py"

spec = importlib.util.spec_from_file_location("plot", PLOT_PATH)
plot = importlib.util.module_from_spec(spec)
spec.loader.exec_module(plot)

METRIC_COLUMNS = ["round", "time_s", "events", "messages_sent", "bits_sent", "max_node_bits_sent", "loss",
                  "gradient_norm", "consensus_distance", "train_accuracy", "test_accuracy"]


def curve(rounds, loss, accuracy=True, time_per_round=0.01, bits_per_round=1000):
    """metrics.csv rows: one per round given, with the given losses."""
    rows = []
    for r, value in zip(rounds, loss):
        row = {"round": r, "time_s": r * time_per_round, "events": 10 * r, "messages_sent": 4 * r,
               "bits_sent": r * bits_per_round, "max_node_bits_sent": r * bits_per_round / 4, "loss": value,
               "gradient_norm": value / 2, "consensus_distance": value / 10}
        if accuracy:
            row.update(train_accuracy=1 - value / 2, test_accuracy=1 - value / 2 - 0.01)
        rows.append(row)
    return rows


def write_run(folder, rows, spectral_gap=0.1, topology="ring", status="completed", extra=None):
    folder.mkdir(parents=True, exist_ok=True)
    columns = [column for column in METRIC_COLUMNS if column in rows[0]] + \
        [column for column in rows[0] if column not in METRIC_COLUMNS]
    with open(folder / "metrics.csv", "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    summary = {"name": folder.name, "seed": 1, "scenario": {"topology": {"kind": topology}}, "status": status,
               "message": "", "final": rows[-1], "topology": {"nodes": 16, "spectral_gap": spectral_gap},
               "host": {"wall_seconds": 0.1}}
    summary.update(extra or {})
    (folder / "summary.json").write_text(json.dumps(summary))
    return rows[-1]


def write_sweep(folder, keys, points):
    """points: dicts with values (one per key), repetition, rows, and optionally gap, topology, status."""
    folder.mkdir(parents=True, exist_ok=True)
    plan = {"scenario": "s.toml", "keys": keys, "points": []}
    table = []
    for index, point in enumerate(points):
        point_id = "_".join(point["values"]) + f"_r{point['repetition']}-{index:08x}"
        status = point.get("status", "completed")
        final = write_run(folder / point_id, point["rows"], point.get("gap", 0.1), point.get("topology", "ring"),
                          status)
        plan["points"].append({"index": index, "id": point_id, "combination": index, "repetition":
                               point["repetition"], "seed": 1 + point["repetition"],
                               "parameters": [{"key": k, "value": v, "text": v} for k, v in zip(keys, point["values"])]})
        table.append((point_id, index, point["repetition"], 1 + point["repetition"], point["values"], status,
                      final if status == "completed" else {}))
    (folder / "sweep.json").write_text(json.dumps(plan))
    figures = sorted({name for *_, final in table for name in final})
    with open(folder / "runs.csv", "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "index", "repetition", "seed"] + keys + ["status", "message"] + figures
                        + ["wall_seconds"])
        for point_id, index, repetition, seed, values, status, final in table:
            writer.writerow([point_id, index, repetition, seed] + list(values) + [status, ""]
                            + [final.get(name, "") for name in figures] + ["0.100"])
    return folder


def run_plot(*argv):
    """plot.main in this process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = plot.main([str(arg) for arg in argv])
        except SystemExit as exit:
            status = exit.code
    return status, out.getvalue(), err.getvalue()


def figure_of(*argv):
    args = plot.build_parser().parse_args([str(arg) for arg in argv])
    with contextlib.redirect_stderr(io.StringIO()):
        return args.figure(args)


class Folders(unittest.TestCase):
    """A temporary folder with a run and a sweep (two topologies x two ratios, two seeds)."""

    def setUp(self):
        self.temp = tempfile.TemporaryDirectory()
        self.dir = Path(self.temp.name)
        rounds = list(range(0, 101, 10))
        write_run(self.dir / "run", curve(rounds, [1 / (1 + r) for r in rounds]))
        points = []
        for topology, gap in (("ring", 0.05), ("torus", 0.2)):
            for ratio in ("0.1", "0.01"):
                for repetition in (0, 1):
                    scale = 1 + 0.1 * repetition + float(ratio)
                    points.append({"values": [topology, ratio], "repetition": repetition, "gap": gap,
                                   "topology": topology,
                                   "rows": curve(rounds, [scale / (1 + r * gap) for r in rounds])})
        self.sweep = write_sweep(self.dir / "sweep", ["topology.kind", "compression.ratio"], points)

    def tearDown(self):
        self.temp.cleanup()

    def assert_image(self, path):
        self.assertTrue(path.is_file(), path)
        self.assertGreater(path.stat().st_size, 1000, path)

    def assert_error(self, fragment, *argv):
        status, out, err = run_plot(*argv)
        self.assertEqual(status, 2, err)
        lines = err.strip().splitlines()
        self.assertTrue(lines and lines[-1].startswith("plot.py: error: "), err)
        self.assertIn(fragment, lines[-1])
        return lines[-1]


class Curves(Folders):
    def test_run_folder_png_through_the_script(self):
        out = self.dir / "run.png"
        result = subprocess.run([str(PLOT_PATH), "curves", str(self.dir / "run"), "--out", str(out)],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(), str(out))
        self.assert_image(out)

    def test_every_axis_and_svg(self):
        for x, y in (("rounds", "loss"), ("time", "suboptimality"), ("bits", "accuracy"), ("rounds", "consensus")):
            with self.subTest(x=x, y=y):
                out = self.dir / f"{x}-{y}.svg"
                status, _, err = run_plot("curves", self.sweep, self.dir / "run", "--x", x, "--y", y, "--log",
                                          "--out", out)
                self.assertEqual(status, 0, err)
                self.assert_image(out)

    def test_ymax_cuts_the_axis_and_counts_the_lines_above(self):
        write_run(self.dir / "diverged", curve([0, 10, 20], [1.0, 1e30, 1e60]))
        figure = figure_of("curves", self.dir / "run", self.dir / "diverged", "--log", "--ymax", 10)
        self.assertEqual(figure.axes[0].get_ylim()[1], 10)
        self.assertIn("1 line(s) leave the axis above 10", figure.axes[0].get_title())
        figure = figure_of("curves", self.dir / "run", "--ymax", 10)
        self.assertNotIn("leave the axis", figure.axes[0].get_title())
        self.assert_error("not above the lowest value", "curves", self.dir / "run", "--log", "--ymax", 1e-9)

    def test_bits_up_is_the_federated_uplink_column(self):
        rows = curve([0, 10, 20], [1.0, 0.5, 0.25])
        for row in rows:
            row["bits_up"] = row["round"] * 7
        write_run(self.dir / "federated", rows)
        figure = figure_of("curves", self.dir / "federated", "--x", "bits-up")
        self.assertEqual(list(figure.axes[0].lines[0].get_xdata()), [0.0, 70.0, 140.0])
        self.assertIn("uplink", figure.axes[0].get_xlabel())
        line = self.assert_error("no column", "curves", self.dir / "run", "--x", "bits-up")
        self.assertIn("`bits_up`", line)

    def test_repeated_seeds_make_one_line_with_a_band(self):
        figure = figure_of("curves", self.sweep)
        axes = figure.axes[0]
        labels = [line.get_label() for line in axes.lines]
        self.assertEqual(len(labels), 4)  # 8 points, 2 seeds each
        self.assertIn("topology.kind=ring, compression.ratio=0.1 (2 seeds)", labels)
        self.assertEqual(len(axes.collections), 1)
        self.assertEqual(len(axes.collections[0].get_paths()), 4)  # one band per line
        self.assertIn("band = min..max", axes.get_title())
        # The line is the mean over the seeds.
        ring = axes.lines[labels.index("topology.kind=ring, compression.ratio=0.1 (2 seeds)")]
        self.assertAlmostEqual(ring.get_ydata()[0], (1.1 + 1.2) / 2)

    def test_f_star_order(self):
        run = self.dir / "known"
        write_run(run, curve([0, 10], [2.0, 1.5]), extra={"optimal_loss": 1.0})
        self.assertEqual(list(figure_of("curves", run, "--y", "suboptimality").axes[0].lines[0].get_ydata()),
                         [1.0, 0.5])
        self.assertEqual(list(figure_of("curves", run, "--y", "suboptimality", "--f-star", "0.5")
                              .axes[0].lines[0].get_ydata()), [1.5, 1.0])
        status, _, err = run_plot("curves", self.dir / "run", "--y", "suboptimality", "--out", self.dir / "s.png")
        self.assertEqual(status, 0)
        self.assertIn("lowest loss", err)

    def test_error_is_the_distance_to_the_optimum_and_dpi_sets_the_size(self):
        run = self.dir / "error"
        rows = curve([0, 10], [2.0, 1.5])
        for row, value in zip(rows, (4.0, 0.25)):
            row["optimum_distance"] = value
        write_run(run, rows)
        self.assertEqual(list(figure_of("curves", run, "--y", "error").axes[0].lines[0].get_ydata()), [4.0, 0.25])
        small, large = self.dir / "small.png", self.dir / "large.png"
        for out, dpi in ((small, 40), (large, 120)):
            status, _, err = run_plot("curves", run, "--y", "error", "--dpi", dpi, "--out", out)
            self.assertEqual(status, 0, err)
        self.assertLess(small.stat().st_size, large.stat().st_size)

    def test_suboptimality_column_used_as_is(self):
        run = self.dir / "column"
        rows = curve([0, 10], [2.0, 1.5])
        for row, value in zip(rows, (0.3, 0.03)):
            row["suboptimality"] = value
        write_run(run, rows)
        self.assertEqual(list(figure_of("curves", run, "--y", "suboptimality").axes[0].lines[0].get_ydata()),
                         [0.3, 0.03])


class Gap(Folders):
    def power_law_sweep(self):
        """rounds to target = C (1/gap)^1 exactly, C per compression setting, two seeds, one point never there."""
        gaps = (0.5, 0.25, 0.1, 0.05)
        points = []
        for kind, constant in (("top-k", 10), ("sign", 20)):
            for gap in gaps:
                for repetition in (0, 1):
                    reach = round(constant / gap)
                    rounds = list(range(0, reach + 11))
                    points.append({"values": [str(gap), kind], "repetition": repetition, "gap": gap,
                                   "rows": curve(rounds, [1.0 if r < reach else 1e-3 for r in rounds])})
        points.append({"values": ["0.01", "never"], "repetition": 0, "gap": 0.01,
                       "rows": curve([0, 10], [1.0, 0.9])})
        return write_sweep(self.dir / "gaps", ["topology.gap", "compression.kind"], points)

    def test_recovers_the_slope_of_a_power_law(self):
        out = self.dir / "gap.png"
        status, stdout, stderr = run_plot("gap", self.power_law_sweep(), "--target", 0.01, "--metric", "loss",
                                          "--out", out)
        self.assertEqual(status, 0, stderr)
        self.assert_image(out)
        slopes = dict(re.findall(r"^slope (.+): (\S+)$", stdout, re.MULTILINE))
        for kind in ("top-k", "sign"):
            for figure in ("rounds", "time", "bits"):
                self.assertLess(abs(float(slopes[f"compression.kind={kind} [{figure}]"]) - 1.0), 1e-6, stdout)
        self.assertIn("never reach", stderr)
        self.assertIn("0.01_never_r0", stderr)

    def test_predicted_lines_meet_the_points_of_their_law(self):
        # top-k: rounds = 10 / gap exactly, so the prediction 1,10 meets the points (ratio 1); sign: slope only.
        out = self.dir / "predicted.png"
        status, stdout, stderr = run_plot("gap", self.power_law_sweep(), "--target", 0.01, "--metric", "loss",
                                          "--predict", "top-k=1,10", "--predict", "sign=1", "--out", out)
        self.assertEqual(status, 0, stderr)
        self.assert_image(out)
        ratio = re.search(r"^predicted compression.kind=top-k \[rounds\]: slope 1, prefactor 10; "
                          r"measured / predicted (\S+)$", stdout, re.MULTILINE)
        self.assertIsNotNone(ratio, stdout)
        self.assertLess(abs(float(ratio.group(1)) - 1.0), 0.01)
        fitted = re.search(r"^predicted compression.kind=sign \[rounds\]: slope 1 \(prefactor fitted: (\S+)\)$",
                           stdout, re.MULTILINE)
        self.assertIsNotNone(fitted, stdout)
        self.assertLess(abs(float(fitted.group(1)) - 20.0), 0.2)  # sign: rounds = 20 / gap
        figure = figure_of("gap", self.power_law_sweep(), "--target", 0.01, "--metric", "loss",
                           "--predict", "top-k=1,10")
        dashed = [line for line in figure.axes[0].lines if line.get_linestyle() == "--"]
        self.assertEqual(len(dashed), 1)
        x, y = dashed[0].get_xdata(), dashed[0].get_ydata()
        self.assertAlmostEqual(y[0], 10 * x[0])
        for bad in ("top-k=one", "nothing=1", "top-k=1,-2", "=1"):
            status, _, stderr = run_plot("gap", self.power_law_sweep(), "--target", 0.01, "--metric", "loss",
                                         "--predict", bad, "--out", self.dir / "bad.png")
            self.assertEqual(status, 2, bad)
            self.assertIn("--predict", stderr)

    def test_a_swept_compression_section_groups_the_points(self):
        # Whole [compression] tables swept (a column named "compression"): one group per table.
        points = []
        for table, constant in (('{kind = "top-k", ratio = 0.1}', 10), ('{kind = "sign"}', 30)):
            for gap in (0.5, 0.1):
                reach = round(constant / gap)
                rounds = list(range(0, reach + 11))
                points.append({"values": [str(gap), table], "repetition": 0, "gap": gap,
                               "rows": curve(rounds, [1.0 if r < reach else 1e-3 for r in rounds])})
        sweep = write_sweep(self.dir / "sections", ["topology.gap", "compression"], points)
        status, stdout, stderr = run_plot("gap", sweep, "--target", 0.01, "--metric", "loss",
                                          "--out", self.dir / "sections.png")
        self.assertEqual(status, 0, stderr)
        slopes = dict(re.findall(r"^slope (.+): (\S+)$", stdout, re.MULTILINE))
        self.assertIn('compression={kind = "top-k", ratio = 0.1} [rounds]', slopes)
        self.assertIn('compression={kind = "sign"} [rounds]', slopes)

    def test_pdf(self):
        out = self.dir / "gap.pdf"
        status, stdout, err = run_plot("gap", self.sweep, "--target", 0.5, "--metric", "loss", "--out", out)
        self.assertEqual(status, 0, err)
        self.assert_image(out)
        self.assertEqual(len(re.findall(r"^slope compression.ratio=0.1 \[", stdout, re.MULTILINE)), 3)


class Tradeoff(Folders):
    def test_png_and_pdf(self):
        for metric, name in (("accuracy", "t.png"), ("loss", "t.pdf")):
            status, _, err = run_plot("tradeoff", self.sweep, "--metric", metric, "--out", self.dir / name)
            self.assertEqual(status, 0, err)
            self.assert_image(self.dir / name)

    def test_pareto_front(self):
        x, y = plot.pareto_front(plot.np.array([3.0, 1.0, 2.0, 4.0]), plot.np.array([0.5, 0.2, 0.1, 0.9]), True)
        self.assertEqual(list(x), [1.0, 3.0, 4.0])
        self.assertEqual(list(y), [0.2, 0.5, 0.9])


class Heatmap(Folders):
    def test_png_and_note(self):
        out = self.dir / "h.png"
        status, _, err = run_plot("heatmap", self.sweep, "--rows", "topology.kind", "--cols", "compression.ratio",
                                  "--value", "loss", "--out", out)
        self.assertEqual(status, 0, err)
        self.assert_image(out)
        self.assertIn("averages over repetitions", err)

    def test_cells_are_means(self):
        args = plot.build_parser().parse_args(["heatmap", str(self.sweep), "--rows", "topology.kind", "--cols",
                                               "compression.ratio", "--value", "loss"])
        with contextlib.redirect_stderr(io.StringIO()):
            grid = plot.heatmap_table(plot.read_sweep(self.sweep), args.rows, args.cols, args.value)
        self.assertEqual(list(grid.index), ["ring", "torus"])
        self.assertEqual(list(grid.columns), ["0.1", "0.01"])
        expected = ((1.1 + 1.2) / 2) / (1 + 100 * 0.05)
        self.assertTrue(math.isclose(grid.loc["ring", "0.1"], expected, rel_tol=1e-12))


class Lines(Folders):
    def test_points_are_means_over_seeds_joined_in_order_of_x(self):
        with contextlib.redirect_stderr(io.StringIO()):
            points = plot.lines_table(plot.read_sweep(self.sweep), "compression.ratio", "loss", ["topology.kind"])
        self.assertEqual(list(points["line"]), ["topology.kind=ring"] * 2 + ["topology.kind=torus"] * 2)
        self.assertEqual(list(points["x"]), [0.01, 0.1, 0.01, 0.1])
        for _, row in points.iterrows():
            gap = 0.05 if row["line"].endswith("ring") else 0.2
            scale = 1.05 + row["x"]  # 1 + ratio, and 1.1 + ratio: mean over the two seeds
            self.assertTrue(math.isclose(row["y"], scale / (1 + 100 * gap), rel_tol=1e-12))
            self.assertTrue(math.isclose(row["high"] - row["low"], 0.1 / (1 + 100 * gap), rel_tol=1e-9))

    def test_png_with_facets_and_one_line_without_groups(self):
        out = self.dir / "l.png"
        status, _, err = run_plot("lines", self.sweep, "--x", "compression.ratio", "--y", "loss", "--facet",
                                  "topology.kind", "--logx", "--logy", "--out", out)
        self.assertEqual(status, 0, err)
        self.assert_image(out)
        with contextlib.redirect_stderr(io.StringIO()):
            points = plot.lines_table(plot.read_sweep(self.sweep), "bits_sent", "loss")
        self.assertEqual(set(points["line"]), {"all points"})
        self.assertEqual(len(points), 4)

    def test_bad_columns_and_keys(self):
        self.assert_error("--x nothing: not a column", "lines", self.sweep, "--x", "nothing", "--y", "loss")
        self.assert_error("--group loss: not a swept key", "lines", self.sweep, "--x", "bits_sent", "--y", "loss",
                          "--group", "loss")
        self.assert_error("already a --group key", "lines", self.sweep, "--x", "bits_sent", "--y", "loss",
                          "--group", "topology.kind", "--facet", "topology.kind")
        self.assert_error("--x topology.kind: has no numeric values", "lines", self.sweep, "--x", "topology.kind",
                          "--y", "loss")


class HeatmapFacets(unittest.TestCase):
    """attack x aggregator x fraction x partition, the loss a known function of all four."""

    attacks, aggregators, fractions, partitions = ["alie", "ipm"], ["mean", "median", "krum"], ["0.1", "0.4"], \
        ["iid", "dirichlet"]

    @staticmethod
    def loss(attack, aggregator, fraction, partition):
        return (1 + HeatmapFacets.attacks.index(attack) + 10 * HeatmapFacets.aggregators.index(aggregator)) \
            * float(fraction) * (2 if partition == "dirichlet" else 1)

    def setUp(self):
        self.temp = tempfile.TemporaryDirectory()
        self.dir = Path(self.temp.name)
        points = []
        for partition in self.partitions:
            for fraction in self.fractions:
                for aggregator in self.aggregators:
                    for attack in self.attacks:
                        value = self.loss(attack, aggregator, fraction, partition)
                        points.append({"values": [attack, aggregator, fraction, partition], "repetition": 0,
                                       "rows": curve([0, 10], [2 * value, value])})
        self.sweep = write_sweep(self.dir / "byzantine", ["byzantine.attack", "aggregator", "byzantine.fraction",
                                                          "data.partition"], points)

    def tearDown(self):
        self.temp.cleanup()

    def test_panels_hold_their_own_points(self):
        with contextlib.redirect_stderr(io.StringIO()) as err:
            panels = plot.heatmap_panels(plot.read_sweep(self.sweep), "aggregator", "byzantine.attack", "loss",
                                         ["byzantine.fraction", "data.partition"])
        self.assertEqual(err.getvalue(), "")  # nothing averaged: every key is a row, a column or a facet
        self.assertEqual([title for title, _ in panels],
                         [f"data.partition = {p}, byzantine.fraction = {f}" for p in self.partitions
                          for f in self.fractions])
        for (_, grid), (partition, fraction) in zip(panels, [(p, f) for p in self.partitions for f in self.fractions]):
            self.assertEqual(list(grid.index), self.aggregators)
            self.assertEqual(list(grid.columns), self.attacks)
            for aggregator in self.aggregators:
                for attack in self.attacks:
                    self.assertTrue(math.isclose(grid.loc[aggregator, attack],
                                                 self.loss(attack, aggregator, fraction, partition), rel_tol=1e-12))

    def test_one_facet_averages_the_other_key(self):
        with contextlib.redirect_stderr(io.StringIO()) as err:
            panels = plot.heatmap_panels(plot.read_sweep(self.sweep), "aggregator", "byzantine.attack", "loss",
                                         ["byzantine.fraction"])
        self.assertIn("averages over data.partition", err.getvalue())
        self.assertEqual(len(panels), 2)
        expected = (self.loss("ipm", "krum", "0.4", "iid") + self.loss("ipm", "krum", "0.4", "dirichlet")) / 2
        self.assertTrue(math.isclose(panels[1][1].loc["krum", "ipm"], expected, rel_tol=1e-12))

    def test_log_colour_scale(self):
        figure = figure_of("heatmap", self.sweep, "--rows", "aggregator", "--cols", "byzantine.attack", "--value",
                           "loss", "--facet", "byzantine.fraction", "--log")
        norm = figure.axes[0].images[0].norm
        self.assertIsInstance(norm, plot.matplotlib.colors.LogNorm)
        # One scale for every panel: the smallest and largest cell of the sweep (iid and dirichlet averaged).
        self.assertTrue(math.isclose(norm.vmin, 1 * 0.1 * 1.5, rel_tol=1e-12))
        self.assertTrue(math.isclose(norm.vmax, 22 * 0.4 * 1.5, rel_tol=1e-12))
        self.assertEqual(figure.axes[1].images[0].norm.vmax, norm.vmax)
        write_sweep(self.dir / "zero", ["aggregator", "byzantine.attack"],
                    [{"values": ["mean", a], "repetition": 0, "rows": curve([0, 10], [1.0, v])}
                     for a, v in (("alie", 0.0), ("ipm", 1.0))])
        status, _, err = run_plot("heatmap", self.dir / "zero", "--rows", "aggregator", "--cols", "byzantine.attack",
                                  "--value", "loss", "--log", "--out", self.dir / "zero.png")
        self.assertEqual(status, 2)
        self.assertIn("values <= 0", err)

    def test_png_and_bad_facets(self):
        out = self.dir / "facets.png"
        status, _, err = run_plot("heatmap", self.sweep, "--rows", "aggregator", "--cols", "byzantine.attack",
                                  "--value", "loss", "--facet", "byzantine.fraction", "--facet", "data.partition",
                                  "--out", out)
        self.assertEqual(status, 0, err)
        self.assertTrue(out.stat().st_size > 1000)
        for facets, message in ((["aggregator"], "already a row"), (["topology.kind"], "not a swept key"),
                                (["data.partition", "data.partition"], "already a row, column or facet"),
                                (["data.partition", "byzantine.fraction", "aggregator"], "at most two")):
            argv = ["heatmap", self.sweep, "--rows", "aggregator", "--cols", "byzantine.attack", "--value", "loss",
                    "--out", self.dir / "bad.png"]
            for facet in facets:
                argv += ["--facet", facet]
            status, _, err = run_plot(*argv)
            self.assertEqual(status, 2)
            self.assertIn(message, err)
            self.assertEqual(len(err.strip().splitlines()), 1)
            self.assertFalse((self.dir / "bad.png").exists())


class Errors(Folders):
    def test_missing_folder(self):
        self.assert_error("no such folder", "curves", self.dir / "nothing")

    def test_neither_run_nor_sweep(self):
        (self.dir / "empty").mkdir()
        self.assert_error("neither a run folder", "curves", self.dir / "empty")

    def test_sweep_figure_of_a_run_folder(self):
        self.assert_error("needs a sweep folder", "tradeoff", self.dir / "run")

    def test_missing_metric_names_file_and_columns(self):
        write_run(self.dir / "regression", curve([0, 10], [1.0, 0.5], accuracy=False))
        line = self.assert_error("no column", "curves", self.dir / "regression", "--y", "accuracy")
        self.assertIn("regression/metrics.csv", line)
        self.assertIn("consensus_distance", line)

    def test_empty_sweep(self):
        write_sweep(self.dir / "failed", ["topology.kind"],
                    [{"values": ["ring"], "repetition": 0, "rows": curve([0], [1.0]), "status": "failed"}])
        self.assert_error("no completed points (failed 1)", "curves", self.dir / "failed")

    def test_stalled_points_are_plotted_and_failed_ones_left_out(self):
        # A stalled run (no node could make progress any more) is a result: its curve ends where it stalled.
        write_sweep(self.dir / "faults", ["faults.churn_fraction"],
                    [{"values": ["0.5"], "repetition": 0, "rows": curve([0, 10], [1.0, 0.8]), "status": "stalled"},
                     {"values": ["0.9"], "repetition": 0, "rows": curve([0], [1.0]), "status": "failed"}])
        table = plot.read_sweep(self.dir / "faults").table
        self.assertEqual(list(table["status"]), ["stalled"])

    def test_heatmap_unknown_key_and_value(self):
        line = self.assert_error("not a swept key", "heatmap", self.sweep, "--rows", "topology.kinds", "--cols",
                                 "compression.ratio", "--value", "loss")
        self.assertIn("swept keys: topology.kind, compression.ratio", line)
        self.assert_error("not a numeric column", "heatmap", self.sweep, "--rows", "topology.kind", "--cols",
                          "compression.ratio", "--value", "lossy")

    def test_bad_image_type_and_bad_choice(self):
        self.assert_error("unknown image type", "curves", self.dir / "run", "--out", self.dir / "x.jpg")
        self.assert_error("invalid choice", "curves", self.dir / "run", "--y", "speed")


if __name__ == "__main__":
    unittest.main()
