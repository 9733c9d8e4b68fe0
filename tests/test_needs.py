"""The tests' own rule for what a machine may lack: skip locally, fail on CI (conftest.need)."""

import sys

import pytest
from conftest import has, missing, need


@pytest.fixture
def no_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError


def test_a_missing_module_skips_locally_saying_why(no_torch, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"PyTorch is not installed \(pip install 'boundaryviz\[torch\]'\)"):
        need("torch")
    assert not has("torch")


@pytest.mark.parametrize("value", ["true", "1"])
def test_a_missing_module_fails_on_ci(no_torch, monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="CI needs this test, but PyTorch is not installed"):
        need("torch")
    with pytest.raises(pytest.fail.Exception, match="CI needs this test, but Chromium is not installed"):
        missing("Chromium is not installed: apt-get install chromium")


def test_need_returns_the_modules(monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert need("json") is sys.modules["json"]
    assert need("json", "math") == (sys.modules["json"], sys.modules["math"])
