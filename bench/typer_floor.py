"""The smallest typer program that runs a command with two options: the floor of any typer CLI.

`python -c "import typer"` is not the whole floor: on running a command typer also imports its
parameter adapters (typer._adapters, which load pydantic), about as long again. bench.py times this
file beside zhiben's start-up so the two floors are both in view.
"""

import typer

app = typer.Typer()


@app.command()
def overdue(county: str = typer.Option(None, "--county"), fmt: str = typer.Option("table", "--format", "-f")) -> None:
    print("[]")


@app.command()
def upcoming() -> None:
    print("[]")


if __name__ == "__main__":
    app()
