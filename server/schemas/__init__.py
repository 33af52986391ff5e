"""marshmallow wire contracts: explicit fields, unknown fields refused."""
