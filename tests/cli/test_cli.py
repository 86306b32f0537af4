"""derive.cli from the user's side: options anywhere after the command (before,
between and after its positionals), --help and --version as before, -o and its file names,
and every error on one line."""

from __future__ import annotations

import json

import pytest

from derive.cli import main


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- options anywhere

CLAIM = "o1 = 0.8446"


@pytest.mark.parametrize("argv", [
    ["check", "seed004_afteracademy", "--format", "json", CLAIM],   # the reproducer
    ["check", "--format", "json", "seed004_afteracademy", CLAIM],
    ["check", "seed004_afteracademy", CLAIM, "--format", "json"],
    ["check", "--format=json", "seed004_afteracademy", CLAIM],
])
def test_check_takes_options_anywhere(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    verdicts = json.loads(out)
    assert len(verdicts) == 1 and "0.8446" in json.dumps(verdicts)


def test_check_options_between_several_claims(capsys):
    code, out, _ = run(capsys, "check", "seed004_afteracademy", "o1 = 0.8446", "--format",
                       "json", "dE/dw5 = (O1 - y1)*O1*(1 - O1)*H1", "--alias", "out(h1)=H1")
    assert code == 0 and len(json.loads(out)) == 2


def test_a_claim_that_looks_like_an_option_after_a_double_dash(capsys):
    code, out, _ = run(capsys, "check", "seed004_afteracademy", "--format", "json", "--",
                       "-0.5 = o1")
    assert code == 2 and len(json.loads(out)) == 1  # read as a claim (one it cannot read)


@pytest.mark.parametrize("argv", [
    ["derive", "--format", "json", "seed004_afteracademy"],
    ["derive", "seed004_afteracademy", "--format", "json"],
    ["derive", "--digits", "3", "seed004_afteracademy", "--format", "json"],
])
def test_derive_takes_options_anywhere(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert set(json.loads(out)) >= {"values", "cost", "gradients"}


@pytest.mark.parametrize("before", [True, False])
def test_codegen_takes_options_anywhere(capsys, tmp_path, before):
    path = tmp_path / "m.py"
    options = ["-o", path, "--dtype", "float32"]
    argv = ["codegen", *options, "xor"] if before else ["codegen", "xor", *options]
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    assert "DTYPE = np.float32" in path.read_text()


@pytest.mark.parametrize("place", ["before", "between", "after"])
def test_train_takes_options_anywhere(capsys, tmp_path, place):
    options = ["--data", "xor", "--epochs", "3", "--quiet", "-o", tmp_path / "run"]
    argv = {"before": ["train", *options, "xor"],
            "between": ["train", *options[:4], "xor", *options[4:]],
            "after": ["train", "xor", *options]}[place]
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["epochs"] == 3


def test_examples_still_lists(capsys):
    code, out, _ = run(capsys, "examples")
    assert code == 0 and "seed004_afteracademy" in out


# --------------------------------------------------------------------------- help, version, usage

@pytest.mark.parametrize("command", ["derive", "check", "codegen", "train", "examples"])
@pytest.mark.parametrize("where", ["alone", "after a positional"])
def test_every_command_has_help(capsys, command, where):
    argv = [command, "--help"] if where == "alone" else [command, "xor", "--help"]
    with pytest.raises(SystemExit) as stop:
        main(argv)
    out = capsys.readouterr().out
    assert stop.value.code == 0 and out.startswith(f"usage: chainrule {command}")


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["--help", "derive"]])
def test_top_level_help(capsys, argv):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 0 and "COMMAND" in capsys.readouterr().out


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.startswith("chainrule ")


def test_no_command_prints_help(capsys):
    assert main([]) == 2 and "COMMAND" in capsys.readouterr().out


@pytest.mark.parametrize("argv, words", [
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["--frobnicate", "derive"], "unrecognized arguments: --frobnicate"),
    (["check", "seed004_afteracademy", "--frobnicate", CLAIM], "unrecognized arguments"),
    (["train", "xor"], "the following arguments are required: --data"),
    (["codegen"], "the following arguments are required: SPEC"),
])
def test_usage_errors(capsys, argv, words):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and words in err
    assert len(err.strip().splitlines()) == 1 and "error:" in err and "--help" in err


# --------------------------------------------------------------------------- -o and file names

def test_a_long_output_name_is_written(capsys, tmp_path):
    """A 250-character name (the system allows 255): the temporary file beside it must not
    add to the name."""
    path = tmp_path / ("w" * 247 + ".md")
    code, _, err = run(capsys, "derive", "xor", "-o", path)
    assert code == 0, err
    assert path.read_text().startswith("#")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name,
                                                                path.with_suffix(".svg").name])


def test_a_name_over_the_system_limit_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "derive", "xor", "-o", tmp_path / ("w" * 300 + ".md"))
    assert code == 2 and "name too long" in err.lower()
    assert len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("slash", ["/", ""])
def test_derive_into_a_folder_writes_the_spec_name_there(capsys, tmp_path, slash):
    folder = tmp_path / "notes"
    if not slash:
        folder.mkdir()  # an existing folder, named without a trailing separator
    code, _, err = run(capsys, "derive", "xor", "-o", f"{folder}{slash}", "--format", "latex")
    assert code == 0, err
    assert [p.name for p in folder.iterdir()] == ["xor.tex"]
    assert (folder / "xor.tex").read_text().startswith("\\documentclass")


def test_codegen_into_a_folder_writes_the_module_name_there(capsys, tmp_path):
    code, _, err = run(capsys, "codegen", "xor", "-o", f"{tmp_path}/mods/")
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "mods").iterdir() if p.suffix == ".py") == ["xor.py"]


def test_a_train_run_folder_may_end_in_a_slash(capsys, tmp_path):
    code, out, err = run(capsys, "train", "xor", "--data", "xor", "--epochs", "2", "--quiet",
                         "-o", f"{tmp_path}/run/")
    assert code == 0, err
    assert (tmp_path / "run" / "metrics.json").exists()


@pytest.mark.parametrize("name", ["a\nb.csv", "a\rb.csv", "a\u2028b.csv", "a\x85b.csv"])
def test_a_line_break_in_a_file_name_keeps_the_error_on_one_line(capsys, tmp_path, name):
    code, _, err = run(capsys, "train", "xor", "--data", f"csv:{tmp_path / name}", "--quiet")
    assert code == 2
    assert len(err.rstrip("\n").split("\n")) == 1 and "\r" not in err
    assert "no such data file" in err


def test_writing_through_a_symbolic_link_keeps_the_link(capsys, tmp_path):
    target = tmp_path / "real.md"
    target.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    code, _, err = run(capsys, "derive", "xor", "-o", link)
    assert code == 0, err
    assert link.is_symlink() and target.read_text().startswith("# ")


@pytest.mark.parametrize("command, words", [("derive", "deriving xor"),
                                            ("codegen", "deriving and printing xor")])
def test_long_work_on_a_big_network_is_announced(capsys, tmp_path, monkeypatch, command, words):
    import derive.cli.options
    out = ["-o", tmp_path / "x.json"] if command == "derive" else ["-o", tmp_path / "x.py"]
    assert run(capsys, command, "xor", *out)[0] == 0
    assert words not in capsys.readouterr().err          # a small network: nothing to say
    monkeypatch.setattr(derive.cli.options, "BIG_NETWORK", 5)
    code, _, err = run(capsys, command, "xor", *out)
    assert code == 0 and f"chainrule {command}: {words}-2-4-1 (31 names) ..." in err


def test_the_commands_come_from_entry_points_in_order():
    """The top-level parser finds every command as an entry point (so derive.cli never
    imports codegen's), in the order --help lists them."""
    from derive.cli import ORDER, commands
    found = commands()
    assert list(found) == list(ORDER)
    assert found["train"] == "codegen.cli.train" and found["derive"] == "derive.cli.derive"


def test_without_registered_commands_the_error_says_to_install(monkeypatch, capsys):
    import derive.cli as cli_module
    monkeypatch.setattr(cli_module, "entry_points", lambda group: [])
    with pytest.raises(SystemExit) as stop:
        main(["examples"])
    assert "install chainrule" in str(stop.value) and "\n" not in str(stop.value)
