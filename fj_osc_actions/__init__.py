"""OpenStackClient plugin for server actions on Fujitsu FJcloud-O.

Kept empty on purpose: every ``openstack`` run imports this package.
"""
