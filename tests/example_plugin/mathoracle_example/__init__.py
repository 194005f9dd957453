"""An example mathoracle plugin: the softsign activation z / (1 + |z|)."""
