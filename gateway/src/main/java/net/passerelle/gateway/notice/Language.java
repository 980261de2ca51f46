package net.passerelle.gateway.notice;

/** PLACEHOLDER until the notice branch lands. */
public enum Language { EN, FR }
