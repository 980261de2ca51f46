package net.passerelle.admin.model;

public enum WritePolicy { REJECT, QUEUE }
