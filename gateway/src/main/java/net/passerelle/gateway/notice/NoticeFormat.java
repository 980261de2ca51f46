package net.passerelle.gateway.notice;

/** PLACEHOLDER until the notice branch lands. */
public enum NoticeFormat { HTML, JSON, PIWIGO_JSON, PIWIGO_XML, TEXT }
