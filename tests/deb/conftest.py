import os
import sys

# promparse (the strict exposition parser) lives with the integration tests
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
