"""Provider adapters: one module per wire protocol, one uniform interface (:mod:`.base`)."""
