import sys
from pathlib import Path

# tests/worked.py is a helper module shared by the test files.
sys.path.insert(0, str(Path(__file__).parent))
