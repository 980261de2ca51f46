package net.passerelle.admin.model;

public enum Mode { OPEN, READ_ONLY, MAINTENANCE }
