"""Use-cases: ``check_*`` validates and authorises, ``do_*`` changes and owns the transaction."""
