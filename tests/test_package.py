"""The package's shape: every exported name resolves, and importing gradlab stays light."""

import subprocess
import sys

import gradlab


def test_every_exported_name_resolves():
    for name in gradlab.__all__:
        assert getattr(gradlab, name) is not None, name


def test_unknown_names_raise_attribute_error():
    try:
        gradlab.not_a_thing  # noqa: B018
    except AttributeError as error:
        assert "not_a_thing" in str(error)
    else:
        raise AssertionError("expected AttributeError")


def test_import_gradlab_does_not_import_tensorflow_or_widgets():
    code = "import sys, gradlab; print(sorted(m for m in ('tensorflow', 'ipywidgets') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_calculus_does_not_pull_in_widgets():
    # (matplotlib cannot be checked the same way: TensorFlow's Keras imports pyplot itself.)
    code = "import sys, gradlab.calculus; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg"})
    assert out.stdout.strip() == "False"
