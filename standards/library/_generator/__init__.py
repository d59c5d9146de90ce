"""Generator of the sample standards library (``python -m standards.library._generator``).

Each module describes one standard on a lanes × columns grid; :mod:`.writer` turns it into
BPMN 2.0 with Etalon metadata and full DI. See README.md beside this file.
"""
