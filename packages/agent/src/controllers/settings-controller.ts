/**
 * SettingsController: the workspace settings document (greeting, colours, canned replies, routing…).
 * Every agent reads it (canned replies, teams); admins write it through core's `updateSettings`,
 * which checks each value's shape before anything reaches the document.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { DEFAULT_SETTINGS, readRoutingSettings, updateRoutingSettings, announcementsDoc, listAnnouncements, putAnnouncement, readSettings, removeAnnouncement, settingsDoc, updateSettings, type Announcement, type WorkspaceSettings } from '@parley/core';
import type { AgentSync, DocHandle } from '../sync/sync-port.js';

export class SettingsController implements ReactiveController {
  private settingsHandle: DocHandle | undefined;
  private announcementsHandle: DocHandle | undefined;
  private cached: WorkspaceSettings | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly sync: AgentSync,
    private readonly ws: string,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.settingsHandle = this.sync.open(settingsDoc(this.ws));
    this.announcementsHandle = this.sync.open(announcementsDoc(this.ws));
    this.settingsHandle.doc.on('update', this.onChange);
    this.announcementsHandle.doc.on('update', this.onChange);
    void this.settingsHandle.loaded.then(this.onChange);
  }

  hostDisconnected(): void {
    this.settingsHandle?.doc.off('update', this.onChange);
    this.announcementsHandle?.doc.off('update', this.onChange);
    this.settingsHandle?.release();
    this.announcementsHandle?.release();
    this.settingsHandle = this.announcementsHandle = undefined;
  }

  get settings(): WorkspaceSettings {
    this.cached ??= this.settingsHandle ? readSettings(this.settingsHandle.doc) : (structuredClone(DEFAULT_SETTINGS) as WorkspaceSettings);
    return this.cached;
  }

  /** Teams named anywhere in the settings (routing rules), for transfer menus and the team view. */
  get teams(): string[] {
    return [...new Set(this.settings.routingRules.map((r) => r.team))].sort();
  }

  get announcements(): Announcement[] {
    return this.announcementsHandle ? listAnnouncements(this.announcementsHandle.doc) : [];
  }

  /** Throws core's ParleyError('invalid_argument') for a value of the wrong shape. */
  update(patch: Partial<WorkspaceSettings>): void {
    if (this.settingsHandle) updateSettings(this.settingsHandle.doc, patch);
  }

  /**
   * Makes the routing settings' team memberships (what the routing worker reads) equal `teams`,
   * once the relay's copy has been merged, writing only when they differ; admins only.
   */
  async syncRoutingTeams(teams: { name: string; members: string[] }[]): Promise<void> {
    const handle = this.settingsHandle;
    if (!handle) return;
    await handle.synced;
    if (this.settingsHandle !== handle) return;
    if (JSON.stringify(readRoutingSettings(handle.doc).teams) !== JSON.stringify(teams)) updateRoutingSettings(handle.doc, { teams });
  }

  putAnnouncement(input: Parameters<typeof putAnnouncement>[1]): void {
    if (this.announcementsHandle) putAnnouncement(this.announcementsHandle.doc, input);
  }

  removeAnnouncement(id: string): void {
    if (this.announcementsHandle) removeAnnouncement(this.announcementsHandle.doc, id);
  }

  private readonly onChange = (): void => {
    this.cached = undefined;
    this.host.requestUpdate();
  };
}
