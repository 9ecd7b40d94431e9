"""Webhooks and meeting sessions (issue 13).

Every event a webhook can hear is written into its room's *outbox* in the same atomic step
of the live state that makes it true (``signaling/state/lua/outbox.lua`` on Redis, the same
code between awaits in memory). Any node then delivers it: the :class:`~.delivery.Deliverer`
takes a lease on a room's outbox, applies its events to the meeting records and posts them,
signed, to every webhook that asked for them, in order per room and webhook.
"""
