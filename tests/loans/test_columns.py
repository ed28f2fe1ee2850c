"""The light Core view of loan_applications names only real columns; quote and --help stay light."""

from __future__ import annotations

import subprocess
import sys

from gmctl.db.models import LoanApplication
from gmctl.loans.columns import loan_applications


def test_every_core_column_is_a_model_column_of_the_same_kind():
    model = LoanApplication.__table__.c
    for column in loan_applications.c:
        assert column.name in model, column.name
        assert column.type._type_affinity is model[column.name].type._type_affinity, column.name


def test_quote_and_help_load_no_database_code(tmp_path):
    code = (
        "import sys\n"
        "from gmctl.cli import main\n"
        "for argv in (['loans', '--help'], ['loans', 'quote', '--amount', '1000', '--rate', '24', '--term', '3']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print('\\nheavy:', sorted(m for m in ('sqlalchemy', 'psycopg', 'gmctl.db.models') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={"GMCTL_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "heavy: []"
